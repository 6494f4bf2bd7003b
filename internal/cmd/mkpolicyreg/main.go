// Command mkpolicyreg is a fixture tool: it turns a `netsh ipsec static`
// script into the registry export Windows 2000 would hold for the same
// policies, for test fixtures and the example fleet. The audit never
// runs it, and its output is not evidence about any real server.
//
//	go run ./internal/cmd/mkpolicyreg -store local -psk "Subnet=fixture-key" \
//	    -me 10.0.0.21 -o software-ipsec.reg netsh-script.txt
//
// The script is read with parsers/netsh; its policies, filter lists and
// filter actions (all of them, unused ones included) are written with
// internal/policywriter into the local store (-store local, Policy\Local)
// or the domain cache (-store cache, Policy\Cache), and the result as a
// regedit version 5 export (UTF-16LE with BOM, CRLF, every parent key a
// section of its own). The assignment written is the script's own
// (assign=yes) by default, -assign NAME to assign another policy, or
// -assign none for none: Policy\Local's ActivePolicy for the local store,
// GPTIPSECPolicy's DSIPSECPolicyPath and DSIPSECPolicyName (with the
// domain of -domain) for the cache.
//
// What has no known encoding is refused with the script line that asks
// for it (soft=yes, ESP[None,…], "me" without -me); see the policywriter
// package documentation. Pre-shared keys are not in the netsh model
// (only their length): give each with -psk RULE=KEY or -psk
// POLICY/RULE=KEY; the key is written in clear into the export, as
// Windows stores it. "me" is written as the -me address, which the
// export then holds instead of "me". The script must parse without
// errors; the output file is never overwritten.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/policywriter"
	"github.com/ipseclint/ipseclint/internal/safetext"
	"github.com/ipseclint/ipseclint/parsers/netsh"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		// One line per error (Write reports all of them), each escaped:
		// names and values come from the script.
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(os.Stderr, "mkpolicyreg:", safetext.Text(line))
		}
		os.Exit(1)
	}
}

// pskFlags collects -psk RULE=KEY.
type pskFlags map[string]string

func (p pskFlags) String() string { return fmt.Sprintf("%d keys", len(p)) }

func (p pskFlags) Set(s string) error {
	rule, key, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(rule) == "" || key == "" {
		return errors.New("want RULE=KEY or POLICY/RULE=KEY")
	}
	p[strings.TrimSpace(rule)] = key
	return nil
}

// config is what the flags say.
type config struct {
	store, assign, domain, out, seed, script string
	me                                       netip.Addr
	psk                                      pskFlags
}

const usage = "usage: mkpolicyreg -store local|cache [-assign NAME|none] [-domain DN] [-me IP] [-psk RULE=KEY]... [-seed S] -o OUTPUT.reg SCRIPT"

func parseFlags(args []string) (*config, error) {
	c := &config{psk: pskFlags{}}
	fs := flag.NewFlagSet("mkpolicyreg", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.store, "store", "local", "registry store: local (Policy\\Local) or cache (Policy\\Cache, the domain policy's copy)")
	fs.StringVar(&c.assign, "assign", "", "policy to assign (default: the script's assign=yes policy; none: no assignment)")
	fs.StringVar(&c.domain, "domain", "DC=example,DC=com", "domain DN of the LDAP path written for a cache assignment")
	me := fs.String("me", "", `IPv4 address written where a filter says "me"`)
	fs.Var(c.psk, "psk", "pre-shared key of a rule, RULE=KEY or POLICY/RULE=KEY (repeatable)")
	fs.StringVar(&c.seed, "seed", "", "seed of the derived GUIDs (another seed, other GUIDs)")
	fs.StringVar(&c.out, "o", "", "output .reg file (required; never overwritten)")
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("%w\n%s", err, usage)
	}
	if c.out == "" || fs.NArg() != 1 {
		return nil, errors.New(usage)
	}
	c.script = fs.Arg(0)
	switch c.store {
	case "local":
		c.store = policywriter.StoreLocal
	case "cache":
		c.store = policywriter.StoreCache
	default:
		return nil, fmt.Errorf("-store %q: local or cache", c.store)
	}
	if *me != "" {
		a, err := netip.ParseAddr(*me)
		if err != nil || !a.Is4() {
			return nil, fmt.Errorf("-me %q: an IPv4 address", *me)
		}
		c.me = a
	}
	return c, nil
}

func run(args []string, stderr io.Writer) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(c.script)
	if err != nil {
		return err
	}
	res, err := netsh.Parse(data, c.script, netsh.Options{})
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(stderr, "mkpolicyreg: warning:", safetext.Text(w.Loc.String()+": "+w.Message))
	}
	if len(res.Errors) > 0 {
		var msgs []string
		for _, e := range res.Errors {
			msgs = append(msgs, e.Error())
		}
		return fmt.Errorf("the script has errors; a fixture must say exactly what it means:\n%s", strings.Join(msgs, "\n"))
	}
	stores := storesOf(res)
	if err := checkPSKs(stores, c.psk); err != nil {
		return err
	}
	tree := model.NewRegTree()
	opts := policywriter.Options{Seed: c.seed, PSK: c.psk, Me: c.me}
	if err := writeStores(tree, c, stores, opts); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := policywriter.WriteReg(&buf, tree); err != nil {
		return err
	}
	return create(c.out, buf.Bytes())
}

// storesOf returns the stores the script holds. netsh.Result has one
// Store today; should it gain one store per `set store` (Stores), this is
// where to use them.
func storesOf(res *netsh.Result) []*model.PolicyStore {
	return []*model.PolicyStore{res.Store}
}

// writeStores writes every store's objects and the assignment.
func writeStores(tree *model.RegTree, c *config, stores []*model.PolicyStore, opts policywriter.Options) error {
	keys := map[string]string{} // lower-case policy name → key
	var assigned []*model.Policy
	for _, ps := range stores {
		ks, err := policywriter.WriteStore(tree, c.store, ps, opts)
		if err != nil {
			return err
		}
		for i, p := range ps.Policies {
			keys[strings.ToLower(p.Name)] = ks[i]
			if p.Assigned {
				assigned = append(assigned, p)
			}
		}
	}
	var name string
	switch {
	case c.assign == "none":
		return nil
	case c.assign != "":
		name = c.assign
	case len(assigned) == 0:
		return nil
	case len(assigned) > 1:
		return fmt.Errorf("the script assigns %d policies; a host has one: choose with -assign", len(assigned))
	default:
		name = assigned[0].Name
	}
	key, ok := keys[strings.ToLower(name)]
	if !ok {
		return fmt.Errorf("-assign %q: the script has no such policy", name)
	}
	if c.store == policywriter.StoreLocal {
		return policywriter.AssignLocal(tree, key)
	}
	return policywriter.AssignDomain(tree, policywriter.LDAPPath(key, c.domain), name)
}

// checkPSKs refuses a -psk that names no rule authenticating with a
// pre-shared key (a typo would otherwise go unnoticed).
func checkPSKs(stores []*model.PolicyStore, psk pskFlags) error {
	for given := range psk {
		if !usesPSK(stores, given) {
			return fmt.Errorf("-psk %q: no rule of that name authenticates with a pre-shared key", given)
		}
	}
	return nil
}

func usesPSK(stores []*model.PolicyStore, given string) bool {
	for _, ps := range stores {
		for _, p := range ps.Policies {
			for _, r := range p.Rules {
				if !strings.EqualFold(given, r.Name) && !strings.EqualFold(given, p.Name+"/"+r.Name) {
					continue
				}
				for _, a := range r.Auth {
					if a.Kind == model.AuthPreshared {
						return true
					}
				}
			}
		}
	}
	return false
}

// create writes a new file, never over an existing one.
func create(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
