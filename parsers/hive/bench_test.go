package hive

import (
	"testing"

	"github.com/ipseclint/ipseclint/internal/fleetgen"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
)

// rulesKeys are the SYSTEM keys the rules read (DOMAIN.md §2); the same
// list is in internal/bench/bench-hive.sh.
var rulesKeys = []string{
	`SYSTEM\Select`,
	`SYSTEM\CurrentControlSet\Services\PolicyAgent`,
	`SYSTEM\CurrentControlSet\Services\IPSEC`,
	`SYSTEM\CurrentControlSet\Services\ClusSvc`,
	`SYSTEM\CurrentControlSet\Services\WLBS`,
	`SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces`,
	`SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName`,
	`SYSTEM\CurrentControlSet\Control\ProductOptions`,
	`SYSTEM\CurrentControlSet\Services\MSExchangeIS`,
	`SYSTEM\CurrentControlSet\Services\MSExchangeSA`,
	`SYSTEM\CurrentControlSet\Services\POP3Svc`,
	`SYSTEM\CurrentControlSet\Services\IMAP4Svc`,
}

func benchOpen(b *testing.B, rel string, filter *model.KeyFilter) {
	path := testutil.Sample(b, rel)
	var res *Result
	for b.Loop() {
		var err error
		if res, err = Open(path, Options{Filter: filter}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Tree.Len()), "keys")
	b.ReportMetric(float64(res.stats.mapped), "bins-looked-at")
	b.ReportMetric(float64(res.stats.bins), "bins")
}

// BenchmarkOpenRulesKeys opens the 12 MB Windows 7 SYSTEM hive and reads
// the keys the rules need.
func BenchmarkOpenRulesKeys(b *testing.B) {
	benchOpen(b, "hives/win7-sp1-SYSTEM", model.NewKeyFilter(rulesKeys...))
}

// BenchmarkOpenRulesKeysXP is the same on the 2.6 MB XP hive: the time
// should not depend on the hive's size.
func BenchmarkOpenRulesKeysXP(b *testing.B) {
	benchOpen(b, "hives/xp-sp3-SYSTEM", model.NewKeyFilter(rulesKeys...))
}

// BenchmarkOpenFull reads every key of the 12 MB hive.
func BenchmarkOpenFull(b *testing.B) {
	benchOpen(b, "hives/win7-sp1-SYSTEM", nil)
}

// BenchmarkReadFleetHives reads the binary hives of 200 generated hosts
// (internal/fleetgen: SYSTEM, SOFTWARE and CLUSDB of the hosts exported
// as hives) keeping the keys the audit reads.
func BenchmarkReadFleetHives(b *testing.B) {
	files, err := fleetgen.Sample(fleetgen.Options{Hosts: 200, Seed: 1}, func(name string) bool {
		return name == "SYSTEM" || name == "SOFTWARE" || name == "CLUSDB"
	})
	if err != nil {
		b.Fatal(err)
	}
	filter := model.NewKeyFilter(model.FactKeys()...)
	b.SetBytes(fleetgen.SampleSize(files))
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range files {
			res, err := Read(f.Data, f.Path, Options{Filter: filter})
			if err != nil || len(res.Damage) > 0 {
				b.Fatal(f.Path, err, res.Damage)
			}
		}
	}
	b.ReportMetric(float64(len(files)), "files")
}
