package fleetgen

import (
	"bytes"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"

	"golang.org/x/text/encoding/charmap"

	"github.com/ipseclint/ipseclint/internal/hivewriter"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/regfile/regtest"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// outFile is one file of a host's folder.
type outFile struct {
	name string
	data []byte
}

// hostRand is the host's own generator: its content depends on the seed
// and its name only.
func hostRand(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name)) // never fails
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// writeHost writes the host's folder and returns the files and bytes
// written.
func writeHost(dir string, h *host, seed uint64) (int, int64, error) {
	files, err := hostFiles(h, seed)
	if err != nil {
		return 0, 0, err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return 0, 0, err
	}
	var n int64
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o644); err != nil {
			return 0, 0, err
		}
		n += int64(len(f.data))
	}
	return len(files), n, nil
}

// regSource is one hive of a host: its keys (under root), and the names
// of its export, of its hive file and of the path the hive's base block
// records.
type regSource struct {
	tree              *model.RegTree
	root              string
	reg, hive, onDisk string
}

// hostFiles makes the host's files: registry as .reg exports or hives,
// the cluster hive on cluster nodes, the netsh dump on Windows Server
// 2003.
func hostFiles(h *host, seed uint64) ([]outFile, error) {
	rng := hostRand(seed, h.Name)
	cs := "CurrentControlSet"
	if h.Hives {
		cs = "ControlSet001" // a hive has no CurrentControlSet; Select\Current names this one
	}
	trees := []regSource{
		{systemTree(h, rng, cs), "SYSTEM", "system.reg", "SYSTEM", `\SystemRoot\System32\Config\SYSTEM`},
		{softwareTree(h, rng), "SOFTWARE", "software.reg", "SOFTWARE", `\SystemRoot\System32\Config\SOFTWARE`},
	}
	if h.cluster != nil {
		trees = append(trees, regSource{clusterTree(h.cluster, seed), "Cluster", "cluster.reg", "CLUSDB", `\SystemRoot\Cluster\CLUSDB`})
	}
	var files []outFile
	for _, t := range trees {
		if h.Hives {
			hv, err := hivewriter.Write(t.tree, t.root, hivewriter.Options{RootName: hiveRootName(t.root), FileName: t.onDisk})
			if err != nil {
				return nil, err
			}
			files = append(files, outFile{t.hive, hv.Data})
			continue
		}
		var buf bytes.Buffer
		if err := regtest.Write(&buf, t.tree, regtest.RegeditV5); err != nil {
			return nil, err
		}
		files = append(files, outFile{t.reg, buf.Bytes()})
	}
	if !h.Windows2000 {
		data, err := netshFile(h, rng)
		if err != nil {
			return nil, err
		}
		files = append(files, outFile{h.netshName, data})
	}
	return files, nil
}

// hiveRootName is the root key name Windows gives a hive's root (readers
// ignore it): "$$$PROTO.HIV" for the system hives as setup creates them;
// the cluster hive's is uncertain and named after the key it is loaded as.
func hiveRootName(root string) string {
	if root == "Cluster" {
		return "Cluster"
	}
	return "$$$PROTO.HIV"
}

// netshFile is the host's dump, encoded as `cmd > file` writes it (OEM
// code page 850) or as Windows PowerShell's `>` does (UTF-16LE with BOM).
func netshFile(h *host, rng *rand.Rand) ([]byte, error) {
	var st *ipsecStore
	if h.Role == RoleFrontEnd {
		st = frontEndStore(h, rng)
	} else {
		st = backEndStore(h, rng)
	}
	text := st.text()
	if h.netshUTF16 {
		out, _ := textenc.AppendUTF16LE([]byte{0xFF, 0xFE}, []byte(text)) // valid UTF-8: nothing invalid
		return out, nil
	}
	return charmap.CodePage850.NewEncoder().Bytes([]byte(text))
}
