package hive

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	hw "github.com/ipseclint/ipseclint/internal/hivewriter"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

// fuzzFilter is a filter that makes the walk take the lazy paths.
var fuzzFilter = model.NewKeyFilter(`SYSTEM\CurrentControlSet\Services\IPSEC`, `HIVE\a`, `ManySubkeysHive\key_with_many_subkeys\2119`)

// sampleSeeds returns the sample files, when the shared samples are
// present (fuzzing does not need them), cut to the hive bins their base
// block declares and left out when still over maxSize bytes: the fuzzer
// is slow on large inputs.
func sampleSeeds(f *testing.F, maxSize int, names ...string) map[string][]byte {
	dir := os.Getenv("IPSECLINT_SAMPLES")
	if dir == "" {
		dir = filepath.Join(testutil.RepoRoot(f), "..", "shared", "samples")
	}
	out := map[string][]byte{}
	for _, n := range names {
		p := filepath.Join(dir, "hives", filepath.FromSlash(n))
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if len(data) >= logHeaderSize && parseBaseBlock(data).fileType == typePrimary {
			data = data[:min(len(data), baseBlockSize+int(parseBaseBlock(data).binsSize))]
		}
		if len(data) <= maxSize {
			out[n] = data
		}
	}
	return out
}

func generatedSeeds(f *testing.F) [][]byte {
	var out [][]byte
	for _, o := range []hw.Options{{MaxLeaf: 3}, {Leaf: "li", Minor: 3}, {Leaf: "lf", MaxLeaf: 2}} {
		h, err := hw.Write(smallTree(), "SYSTEM", o)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, h.Data)
	}
	h, err := hw.Write(randomTree(rand.New(rand.NewPCG(1, 2)), 40), "SYSTEM", hw.Options{MaxLeaf: 4})
	if err != nil {
		f.Fatal(err)
	}
	out = append(out, h.Data)
	// A self-referencing ri, as in the sample the issue names.
	k := h.Key(`ControlSet001`)
	if k != nil && len(k.Leaves) > 1 {
		h.PutUint32(k.SubkeyList, 4, k.SubkeyList)
		out = append(out, append([]byte{}, h.Data...))
	}
	return out
}

// FuzzParse feeds arbitrary bytes to the reader: it must never panic or
// hang, and what it returns must stay within the input.
func FuzzParse(f *testing.F) {
	for _, d := range generatedSeeds(f) {
		f.Add(d, false)
		f.Add(d, true)
	}
	for _, d := range sampleSeeds(f, 64<<10,
		"edge/BadListHive", "edge/BadSubkeyHive", "edge/BigDataHive", "edge/BogusKeyNamesHive",
		"edge/ExtendedASCIIHive", "edge/GarbageHive", "edge/MultiSzHive", "edge/StringValuesHive",
		"edge/TruncatedHive", "edge/TruncatedNameHive", "edge/UnicodeHive", "edge/WrongOrderHive",
		"edge/ri-selfloop-ManySubkeysHive", "edge/BadBaseBlockHive-BadBaseBlockHive", "win10-minimal-SYSTEM",
		"xp-sp3-system.sav") {
		f.Add(d, false)
		f.Add(d, true)
	}
	f.Add([]byte("regf"), false)
	f.Fuzz(func(t *testing.T, data []byte, filtered bool) {
		var opts Options
		if filtered {
			opts.Filter = fuzzFilter
		}
		res, err := parseWithDeadline(t, data, nil, opts)
		if err != nil {
			return
		}
		checkBounded(t, res, len(data))
	})
}

// FuzzRecover feeds a hive and an arbitrary log beside it to the reader.
func FuzzRecover(f *testing.F) {
	seeds := sampleSeeds(f, 600<<10,
		"edge/NewDirtyHive1-NewDirtyHive", "edge/NewDirtyHive1-NewDirtyHive.LOG1", "edge/NewDirtyHive1-NewDirtyHive.LOG2",
		"edge/OldDirtyHive-OldDirtyHive", "edge/OldDirtyHive-OldDirtyHive.LOG1")
	for _, pair := range [][3]string{
		{"edge/NewDirtyHive1-NewDirtyHive", "edge/NewDirtyHive1-NewDirtyHive.LOG1", "LOG1"},
		{"edge/NewDirtyHive1-NewDirtyHive", "edge/NewDirtyHive1-NewDirtyHive.LOG2", "LOG2"},
		{"edge/OldDirtyHive-OldDirtyHive", "edge/OldDirtyHive-OldDirtyHive.LOG1", "LOG"},
	} {
		if p, l := seeds[pair[0]], seeds[pair[1]]; p != nil && l != nil {
			f.Add(p, l, pair[2])
		}
	}
	before, err := hw.Write(smallTree(), "SYSTEM", hw.Options{Minor: 3})
	if err != nil {
		f.Fatal(err)
	}
	grown := smallTree()
	grown.EnsureKey(`SYSTEM\ControlSet001\Services\PolicyAgent\Oakley`, model.Location{}).
		SetValue(&model.Value{Name: "NLBSFlags", Type: model.RegDWORD, Data: model.DWORDData(1)})
	after, err := hw.Write(grown, "SYSTEM", hw.Options{Minor: 3})
	if err != nil {
		f.Fatal(err)
	}
	primary, log := hw.DirtyOld(before, after)
	f.Add(primary, log, "LOG")
	f.Fuzz(func(t *testing.T, primary, log []byte, ext string) {
		logs := func() []logFile { return []logFile{{path: "fuzz." + ext, ext: ext, data: log}} }
		res, err := parseWithDeadline(t, primary, logs, Options{})
		if err != nil {
			return
		}
		checkBounded(t, res, len(primary)+len(log)+int(uint64(len(log))/512*4096))
	})
}

// parseWithDeadline fails the input when parsing takes more than 10
// seconds, so that the fuzzer keeps a hang as it keeps a crash.
func parseWithDeadline(t *testing.T, data []byte, logs func() []logFile, opts Options) (*Result, error) {
	type out struct {
		res *Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := parse("fuzz", data, logs, opts)
		done <- out{res, err}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-time.After(10 * time.Second):
		panic(fmt.Sprintf("parsing %d bytes took more than 10 seconds", len(data)))
	}
}

// checkBounded checks that a result holds no more data than its input
// could give.
func checkBounded(t *testing.T, res *Result, inputSize int) {
	t.Helper()
	if res.Tree == nil {
		t.Fatal("nil tree without an error")
	}
	total := 0
	for _, k := range res.Tree.Keys() {
		for _, v := range k.Values {
			total += len(v.Data)
		}
	}
	if total > inputSize+0x100000 {
		t.Fatalf("%d bytes of values from %d bytes of input", total, inputSize)
	}
	if len(res.Damage) > maxDamage+1 {
		t.Fatalf("%d damage items", len(res.Damage))
	}
}
