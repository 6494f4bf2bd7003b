// Package model holds the normalized facts ipseclint reasons about: the
// registry of a host (merged from every export and hive collected off it),
// its IPSec policies, the facts derived from them, and the fleet of hosts.
//
// Parsers fill the model; rules read it. Nothing in this package opens a
// file or decides what is wrong.
package model
