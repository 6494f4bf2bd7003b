package hive

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	hw "github.com/ipseclint/ipseclint/internal/hivewriter"
	"github.com/ipseclint/ipseclint/internal/model"
)

// nameRunes are the characters random names are made of: ASCII with the
// slash and space, Latin-1 (stored compressed), Cyrillic and CJK (UTF-16)
// and a character outside the BMP (a surrogate pair). Letters whose case
// folding differs between Go and the registry (such as U+017F) are left
// out: names equal to Windows would then not be equal to the model.
var nameRunes = []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 /-_.{}éüßÆøñПриветКлюч漢字😀")

func randomName(r *rand.Rand) string {
	n := 1 + r.IntN(12)
	out := make([]rune, n)
	for i := range out {
		out[i] = nameRunes[r.IntN(len(nameRunes))]
	}
	return string(out)
}

var dataSizes = []int{0, 1, 2, 3, 4, 5, 8, 100, 1000, 16343, 16344, 16345, 40000}

func randomValue(r *rand.Rand, name string) *model.Value {
	types := []model.ValueType{model.RegNone, model.RegSZ, model.RegExpandSZ, model.RegBinary, model.RegDWORD,
		model.RegMultiSZ, model.RegQWORD, model.RegResourceList, 0x100, 0xFFFF0001}
	size := dataSizes[r.IntN(len(dataSizes))]
	if size > 16343 && r.IntN(4) > 0 {
		size = r.IntN(64)
	}
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(r.UintN(256))
	}
	return &model.Value{Name: name, Type: types[r.IntN(len(types))], Data: data}
}

// randomTree builds a tree of about n keys under SYSTEM, some with many
// subkeys (so that lists split under ri indexes), with random values.
func randomTree(r *rand.Rand, n int) *model.RegTree {
	t := model.NewRegTree()
	t.EnsureKey(`SYSTEM\Select`, model.Location{}).SetValue(&model.Value{Name: "Current", Type: model.RegDWORD, Data: model.DWORDData(1)})
	paths := []string{`SYSTEM\ControlSet001`}
	t.EnsureKey(paths[0], model.Location{})
	for len(paths) < n {
		parent := paths[r.IntN(len(paths))]
		if r.IntN(3) == 0 {
			parent = paths[0]
		}
		p := parent + `\` + randomName(r)
		if t.Key(p) != nil {
			continue
		}
		k := t.EnsureKey(p, model.Location{})
		paths = append(paths, p)
		for v := r.IntN(4); v > 0; v-- {
			name := randomName(r)
			if r.IntN(5) == 0 {
				name = "" // the default value
			}
			if k.Value(name) == nil {
				k.SetValue(randomValue(r, name))
			}
		}
	}
	return t
}

// TestRoundTrip writes random trees in every list layout and format and
// reads them back: the same keys, values, types and bytes, no damage.
func TestRoundTrip(t *testing.T) {
	layouts := []hw.Options{
		{},
		{Leaf: "lf", MaxLeaf: 3},
		{Leaf: "li", MaxLeaf: 2, Minor: 3},
		{Leaf: "lh", MaxLeaf: 1, Minor: 3},
		{Minor: 6, RootName: "CMI-CreateHive{2A7FB991-7BBE-4F9D-B91E-7CB51D4737F5}"},
	}
	for seed := uint64(1); seed <= 12; seed++ {
		r := rand.New(rand.NewPCG(seed, 42))
		tree := randomTree(r, 30+r.IntN(200))
		o := layouts[int(seed)%len(layouts)]
		o.FileName = `\REGISTRY\MACHINE\SYSTEM`
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			h := build(t, tree, o)
			res, err := readGen(t, h.Data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Damage) > 0 || len(res.Notes) > 0 || res.Hive != HiveSystem {
				t.Fatalf("hive %q, notes %q, damage:\n%s", res.Hive, res.Notes, damageOf(res))
			}
			if diff := treeDiff(res.Tree, tree); diff != "" {
				t.Errorf("read back differs (%+v):\n%s", o, diff)
			}
			checkLocations(t, res)
		})
	}
}

func checkLocations(t *testing.T, res *Result) {
	t.Helper()
	for _, k := range res.Tree.Keys() {
		if k.Loc.File != "gen" || k.Loc.Key != k.Path || k.Loc.Line != 0 {
			t.Fatalf("key %s location %+v", k.Path, k.Loc)
		}
		for _, v := range k.Values {
			if v.Loc.Key != k.Path || v.Loc.Value != v.Name || v.Loc.File != "gen" {
				t.Fatalf("value %s %s location %+v", k.Path, v.Name, v.Loc)
			}
		}
	}
}

// TestFilteredReadIsTheFilteredTree reads random trees with random
// filters: exactly the keys the filter wants are read, with all their
// values, plus SYSTEM\Select.
func TestFilteredReadIsTheFilteredTree(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		tree := randomTree(r, 150)
		keys := tree.Keys()
		var paths []string
		for i := 0; i < 1+r.IntN(4); i++ {
			p := keys[r.IntN(len(keys))].Path
			if strings.HasPrefix(p, `SYSTEM\ControlSet001`) && r.IntN(2) == 0 {
				p = `SYSTEM\CurrentControlSet` + strings.TrimPrefix(p, `SYSTEM\ControlSet001`)
			}
			paths = append(paths, p)
		}
		filter := model.NewKeyFilter(paths...)
		h := build(t, tree, hw.Options{FileName: "SYSTEM", MaxLeaf: 4})
		res, err := readGen(t, h.Data, Options{Filter: filter})
		if err != nil || len(res.Damage) > 0 {
			t.Fatalf("seed %d: err %v damage %s", seed, err, damageOf(res))
		}
		want := model.NewRegTree()
		withSelect := model.NewKeyFilter(append(paths, `SYSTEM\Select`)...)
		for _, k := range fullTree(t, h).Keys() {
			if withSelect.Wants(k.Path) {
				nk := want.EnsureKey(k.Path, k.Loc)
				for _, v := range k.Values {
					nk.SetValue(v)
				}
			}
		}
		if diff := treeDiff(res.Tree, want); diff != "" || res.Tree.Len() != want.Len() {
			t.Errorf("seed %d, filter %q: %d keys read, %d wanted:\n%s", seed, paths, res.Tree.Len(), want.Len(), diff)
		}
	}
}

func fullTree(t *testing.T, h *hw.Hive) *model.RegTree {
	t.Helper()
	res, err := readGen(t, h.Data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Tree
}

// TestLazyRead: with a filter, the part of the hive looked at does not
// grow with the rest of the hive.
func TestLazyRead(t *testing.T) {
	filter := model.NewKeyFilter(`SYSTEM\CurrentControlSet\Services\IPSEC`)
	var mapped []int
	for _, n := range []int{100, 5000} {
		tree := smallTree()
		tree.EnsureKey(`SYSTEM\ControlSet001\Services\IPSEC`, model.Location{}).
			SetValue(&model.Value{Name: "NoDefaultExempt", Type: model.RegDWORD, Data: model.DWORDData(3)})
		for i := 0; i < n; i++ {
			tree.EnsureKey(fmt.Sprintf(`SYSTEM\ControlSet001\Enum\PCI\dev%05d\Properties`, i), model.Location{}).
				SetValue(&model.Value{Name: "Data", Type: model.RegBinary, Data: bytes.Repeat([]byte{1}, 200)})
		}
		res, err := readGen(t, build(t, tree, hw.Options{FileName: "SYSTEM"}).Data, Options{Filter: filter})
		if err != nil {
			t.Fatal(err)
		}
		if v := model.NewRegistry(res.Tree).Value(`SYSTEM\CurrentControlSet\Services\IPSEC`, "NoDefaultExempt"); v == nil {
			t.Fatal("IPSEC not read")
		}
		mapped = append(mapped, res.stats.mapped)
		t.Logf("%d keys beside: %d of %d hive bins looked at", n, res.stats.mapped, res.stats.bins)
	}
	if mapped[1] > mapped[0]+2 {
		t.Errorf("bins looked at grew from %d to %d with keys the filter does not want", mapped[0], mapped[1])
	}
}

func TestIdentify(t *testing.T) {
	cases := []struct {
		file        string
		root        []string
		hive, mount string
		note        bool
	}{
		{`\SystemRoot\System32\Config\SYSTEM`, []string{"ControlSet001", "Select", "Setup"}, HiveSystem, HiveSystem, false},
		{"", []string{"ControlSet002", "select"}, HiveSystem, HiveSystem, false},
		{`\Windows\system32\config\system`, nil, HiveSystem, HiveSystem, false},
		{"", []string{"Classes", "Microsoft", "Policies"}, HiveSoftware, HiveSoftware, false},
		{`C:\WINDOWS\Cluster\CLUSDB`, []string{"Groups", "Nodes", "Resources", "ResourceTypes"}, HiveCluster, HiveCluster, false},
		{"", []string{"Groups", "Resources"}, HiveCluster, HiveCluster, false},
		{`\SystemRoot\System32\Config\SAM`, []string{"SAM"}, HiveSAM, HiveSAM, false},
		{"", []string{"Policy", "RXACT"}, HiveSecurity, HiveSecurity, false},
		{`\SystemRoot\System32\Config\SOFTWARE`, []string{"Select", "ControlSet001"}, HiveSystem, HiveSystem, true},
		{`\??\C:\Users\x\ntuser.dat`, []string{"Software", "Control Panel"}, "", "ntuser.dat", false},
		{"", []string{"a"}, "", "HIVE", false},
		{"HKLM", nil, "", "HIVE", false},
		{"bad\x01name", nil, "", "HIVE", false},
	}
	for _, tc := range cases {
		hive, mount, note := identify(tc.file, tc.root)
		if hive != tc.hive || mount != tc.mount || (note != "") != tc.note {
			t.Errorf("identify(%q, %q) = %q, %q, note %q; want %q, %q, note %v", tc.file, tc.root, hive, mount, note, tc.hive, tc.mount, tc.note)
		}
	}
}

func TestCurrentSetNotes(t *testing.T) {
	cases := []struct {
		current *model.Value
		want    int
		note    string
	}{
		{&model.Value{Name: "Current", Type: model.RegDWORD, Data: model.DWORDData(1)}, 1, ""},
		{&model.Value{Name: "Current", Type: model.RegDWORD, Data: model.DWORDData(3)}, 3, `SYSTEM\Select\Current names ControlSet003, which does not exist in the hive`},
		{&model.Value{Name: "Current", Type: model.RegSZ, Data: model.UTF16String("1")}, 0, "not a REG_DWORD"},
		{nil, 0, `SYSTEM\Select\Current is missing`},
	}
	for _, tc := range cases {
		tree := model.NewRegTree()
		sel := tree.EnsureKey(`SYSTEM\Select`, model.Location{})
		if tc.current != nil {
			sel.SetValue(tc.current)
		}
		tree.EnsureKey(`SYSTEM\ControlSet001\Services\IPSEC`, model.Location{})
		res, err := readGen(t, build(t, tree, hw.Options{}).Data, Options{Filter: model.NewKeyFilter(`SYSTEM\CurrentControlSet\Services\IPSEC`)})
		if err != nil {
			t.Fatal(err)
		}
		if res.CurrentSet != tc.want || (tc.note == "") != (len(res.Notes) == 0) || (tc.note != "" && !hasNote(res, tc.note)) {
			t.Errorf("Current %v: CurrentSet %d, notes %q; want %d, %q", tc.current.Display(), res.CurrentSet, res.Notes, tc.want, tc.note)
		}
	}
}

// TestClusterHive mounts a cluster database (CLUSDB) at HKLM\Cluster, as
// Windows loads it, so that rules find the IP Address resources there.
func TestClusterHive(t *testing.T) {
	tree := model.NewRegTree()
	res := `Cluster\Resources\{5E3D2C1A-0000-4000-8000-000000000001}`
	tree.EnsureKey(res, model.Location{}).SetValue(&model.Value{Name: "Type", Type: model.RegSZ, Data: model.UTF16String("IP Address")})
	tree.EnsureKey(res+`\Parameters`, model.Location{}).SetValue(&model.Value{Name: "Address", Type: model.RegSZ, Data: model.UTF16String("10.0.0.50")})
	tree.EnsureKey(`Cluster\Groups\{5E3D2C1A-0000-4000-8000-000000000002}`, model.Location{}).SetValue(&model.Value{Name: "Name", Type: model.RegSZ, Data: model.UTF16String("EXVS1")})
	tree.EnsureKey(`Cluster\Nodes\1`, model.Location{})
	h, err := hw.Write(tree, "Cluster", hw.Options{FileName: `C:\WINDOWS\Cluster\CLUSDB`})
	if err != nil {
		t.Fatal(err)
	}
	r, err := readGen(t, h.Data, Options{Filter: model.NewKeyFilter(`Cluster\Resources`, `Cluster\Groups`)})
	if err != nil || len(r.Damage) > 0 {
		t.Fatalf("err %v damage %s", err, damageOf(r))
	}
	if r.Hive != HiveCluster || r.Mount != "Cluster" || r.CurrentSet != 0 {
		t.Errorf("hive %q mount %q current set %d", r.Hive, r.Mount, r.CurrentSet)
	}
	if s, _ := r.Tree.Key(res + `\Parameters`).Value("Address").AsString(); s != "10.0.0.50" {
		t.Errorf("Address = %q", s)
	}
	if r.Tree.Key(`Cluster\Nodes\1`) != nil {
		t.Error("Nodes was not asked for but was read")
	}
}
