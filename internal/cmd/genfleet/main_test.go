package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWritesTheFleetAndItsManifest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fleet")
	manifest := filepath.Join(t.TempDir(), "manifest.json")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-hosts", "12", "-seed", "5", "-o", dir, "-manifest", manifest}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), ": 12 hosts in 1 sites") {
		t.Errorf("summary %q", stdout.String())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 13 { // a folder per host and ipseclint.yaml
		t.Errorf("%d entries in the fleet, want 13", len(entries))
	}
	data, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	var hosts []struct{ Name, Role string }
	if err := json.Unmarshal(data, &hosts); err != nil || len(hosts) != 12 || hosts[0].Role == "" {
		t.Errorf("manifest: %v, %+v", err, hosts)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"-hosts", "3"}, {"-o", t.TempDir(), "extra"}, {"-hosts", "0", "-o", filepath.Join(t.TempDir(), "f")}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code == 0 || stderr.Len() == 0 {
			t.Errorf("%q: exit code %d, stderr %q", args, code, stderr.String())
		}
	}
}
