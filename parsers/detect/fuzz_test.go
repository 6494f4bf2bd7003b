package detect

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

// FuzzSniff: Sniff never panics, decides from the first HeadSize bytes
// only, answers the same for the same bytes, and names a kind it knows.
// Seeds: the netsh parser's fixtures, the CLI test fleet's exports (a
// binary hive among them), and the heads of the other kinds.
func FuzzSniff(f *testing.F) {
	for _, pattern := range []string{"../netsh/testdata/*.*", "../../internal/cli/testdata/fleet/*/*", "../fleetconfig/testdata/valid/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data[:min(len(data), 2*HeadSize)])
			}
		}
	}
	f.Add([]byte("regf\x01\x00\x00\x00"))
	f.Add([]byte("DIRT\x00\x00\x00\x00"))
	f.Add([]byte("\xff\xfeW\x00i\x00n\x00d\x00o\x00w\x00s\x00 \x00R\x00e\x00g\x00"))
	f.Add([]byte("REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM]\r\n"))
	known := map[model.FileKind]bool{model.KindUnknown: true, model.KindHive: true, model.KindHiveLog: true, model.KindRegExport: true, model.KindNetsh: true, model.KindConfig: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := Sniff(data, "")
		if !known[got.Kind] {
			t.Fatalf("kind %q", got.Kind)
		}
		if again := Sniff(append([]byte(nil), data...), ""); !reflect.DeepEqual(got, again) {
			t.Fatalf("%+v, then %+v", got, again)
		}
		if len(data) > HeadSize {
			if head := Sniff(data[:HeadSize], ""); !reflect.DeepEqual(got, head) {
				t.Fatalf("the bytes past HeadSize changed the answer: %+v, head alone %+v", got, head)
			}
		}
	})
}
