package netsh

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

// TestStoresSwitchMidFile follows a script through three stores: objects
// are made in the store current at their line, set and delete act on
// the current store, and each store has its own assigned policy.
func TestStoresSwitchMidFile(t *testing.T) {
	res := parseText(t, `pushd ipsec static
add policy name=Early
set store location=persistent
add policy name=Boot assign=yes
add filterlist name=L
add filter filterlist=L srcaddr=me dstaddr=10.0.0.50 protocol=tcp dstport=110
add filteraction name=Permit action=permit
add rule name=R policy=Boot filterlist=L filteraction=Permit
set store location=local
add policy name=Main assign=yes
add filterlist name=L
add rule name=R2 policy=Main filterlist=L filteraction=Permit
set store location=persistent
set policy name=Boot description="at start-up"
delete policy name=Main
set store location=domain
add policy name=Dom assign=yes
set store location=local
set store location=local
popd
`)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", errorStrings(res))
	}
	want := []struct {
		store    model.Store
		line     int
		policies string
		assigned string
	}{
		{model.StoreLocal, 9, "Early Main", "Main"},
		{model.StorePersistent, 3, "Boot", "Boot"},
		{model.StoreDomain, 16, "Dom", "Dom"},
	}
	if len(res.Stores) != len(want) || res.Store != res.Stores[0] {
		t.Fatalf("%d stores, Store is Stores[0]: %v", len(res.Stores), res.Store == res.Stores[0])
	}
	for i, w := range want {
		s := res.Stores[i]
		var names []string
		for _, p := range s.Policies {
			names = append(names, p.Name)
			if p.Store != s.Store {
				t.Errorf("policy %q has store %q in the %s store", p.Name, p.Store, s.Store)
			}
		}
		assigned := ""
		if a := s.Assigned(); a != nil {
			assigned = a.Name
		}
		if s.Store != w.store || int(s.StoreLoc.Line) != w.line || strings.Join(names, " ") != w.policies || assigned != w.assigned || s.Source != model.SourceNetsh || s.Form != formScript || s.File != "s.cmd" {
			t.Errorf("store %d: %s named on line %d, policies %q, assigned %q; want %+v", i, s.Store, s.StoreLoc.Line, names, assigned, w)
		}
	}
	p := res.Stores[1].Policy("Boot")
	if p.Description != "at start-up" || p.Rule("R").FilterAction == nil || p.Rule("R").FilterList.Filters[0].DstPort != 110 {
		t.Errorf("persistent policy = %+v", p)
	}
	// R2 names a filter action of the persistent store: not resolved.
	var unresolved, unassigns bool
	for _, w := range res.Warnings {
		unresolved = unresolved || strings.Contains(w.Message, `names filter action "Permit", which the file does not hold in the local store`)
		unassigns = unassigns || strings.Contains(w.Message, "unassigns")
	}
	if !unresolved || unassigns || res.Stores[0].Policy("Main").Rule("R2").FilterAction != nil {
		t.Errorf("warnings: %v", res.Warnings)
	}
}

func TestStoreOfEachForm(t *testing.T) {
	for _, c := range []struct {
		name, text string
		stores     []model.Store
		lines      []int
	}{
		{"no set store", "netsh ipsec static add policy name=P\r\n", []model.Store{model.StoreLocal}, []int{0}},
		{"dump", "pushd ipsec static\r\nSet Store location=local\r\nadd policy name=P\r\npopd\r\n", []model.Store{model.StoreLocal}, []int{2}},
		{"empty dump of the domain store", "pushd ipsec static\r\nset store location=domain domain=corp.example\r\npopd\r\n", []model.Store{model.StoreDomain}, []int{2}},
		{"persistent first", "set store location=persistent\r\nadd policy name=P\r\n", []model.Store{model.StorePersistent}, []int{1}},
		{"switched back, nothing after", "set store location=persistent\r\nadd policy name=P\r\nset store location=local\r\n", []model.Store{model.StorePersistent}, []int{1}},
		{"ipsecpol REG then DS", "ipsecpol -w REG -p A -r R -f 0+* -n BLOCK\r\nipsecpol -w DS:corp.example -p B -r R -f 0+* -n PASS\r\nipsecpol -w REG -p A -x\r\n",
			[]model.Store{model.StoreLocal, model.StoreDomain}, []int{1, 2}},
		{"listing", "Policy Name : P\r\nStore : Domain Store\r\nAssigned : YES\r\n", []model.Store{model.StoreDomain}, []int{2}},
		{"listing of a host's store", "Policy Name : P\r\nStore : Local Store <EXFE01>\r\n", []model.Store{model.StoreLocal}, []int{2}},
		{"persistent listing", "Policy Name : P\r\nStore : Persistent Store\r\n", []model.Store{model.StorePersistent}, []int{2}},
		{"netdiag", "IP Security test . . . . . : Passed\r\n    Domain IPSec Policy Active: 'Corp'\r\n", []model.Store{model.StoreDomain}, []int{0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := parseText(t, c.text)
			var got []model.Store
			var lines []int
			for _, s := range res.Stores {
				got = append(got, s.Store)
				lines = append(lines, int(s.StoreLoc.Line))
				for _, p := range s.Policies {
					if p.Store != s.Store {
						t.Errorf("policy %q: store %q in the %s store", p.Name, p.Store, s.Store)
					}
				}
			}
			if fmt2(got) != fmt2(c.stores) || fmt2(lines) != fmt2(c.lines) || res.Store != res.Stores[0] {
				t.Errorf("stores %v named on lines %v, want %v on %v", got, lines, c.stores, c.lines)
			}
		})
	}
}

func fmt2[T any](v []T) string { return fmt.Sprint(v) }
