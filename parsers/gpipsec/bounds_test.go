package gpipsec

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

// A store of many objects that cannot be read keeps MaxProblems problems
// and counts the rest in a last one (100,000 broken ipsecNFA objects made
// an 86 MB report), and every undecodable NFA blob is still blanked.
func TestProblemsAreBounded(t *testing.T) {
	tree := model.NewRegTree()
	const n = MaxProblems + 500
	for i := 0; i < n; i++ {
		k := tree.EnsureKey(fmt.Sprintf(`%s\ipsecNFA{%08x-0000-0000-0000-000000000000}`, model.KeyIPSecLocal, i), model.Location{})
		k.SetValue(&model.Value{Name: "ipsecData", Type: model.RegBinary, Data: []byte{'k', 'e', 'y'}})
		k.SetValue(&model.Value{Name: "ipsecName", Type: model.RegSZ, Data: model.UTF16String(fmt.Sprint("n", i))})
	}
	res := Decode(model.NewRegistry(tree))
	var local *model.PolicyStore
	for _, s := range res.Stores {
		if s.Store == model.StoreLocal {
			local = s
		}
	}
	if local == nil {
		t.Fatal("no local store")
	}
	if len(local.Problems) != MaxProblems+1 || !strings.Contains(local.Problems[MaxProblems].Message, "more problems of this store not listed") {
		t.Errorf("%d problems, last %q", len(local.Problems), local.Problems[len(local.Problems)-1].Message)
	}
	for _, k := range tree.Keys() {
		if v := k.Value("ipsecData"); v != nil && strings.Contains(string(v.Data), "key") {
			t.Fatalf("%s: an undecodable NFA blob was not blanked", k.Path)
		}
	}
}
