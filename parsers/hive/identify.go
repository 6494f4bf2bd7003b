package hive

import (
	"fmt"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// Hive names Result.Hive takes.
const (
	HiveSystem   = "SYSTEM"
	HiveSoftware = "SOFTWARE"
	HiveCluster  = "Cluster"
	HiveSAM      = "SAM"
	HiveSecurity = "SECURITY"
)

// byRootKeys names the hive from the subkeys of its root key, which say
// more than the base block's file name (often empty in copies).
func byRootKeys(names []string) string {
	has := make(map[string]bool, len(names))
	controlSet := false
	for _, n := range names {
		u := strings.ToUpper(n)
		has[u] = true
		if strings.HasPrefix(u, "CONTROLSET") && len(u) > len("CONTROLSET") && strings.Trim(u[len("CONTROLSET"):], "0123456789") == "" {
			controlSet = true
		}
	}
	switch {
	case has["SELECT"] && controlSet:
		return HiveSystem
	case has["RESOURCES"] && (has["GROUPS"] || has["NODES"]):
		return HiveCluster
	case has["POLICY"] && has["RXACT"]:
		return HiveSecurity
	case has["SAM"] && len(names) <= 2:
		return HiveSAM
	case has["MICROSOFT"]:
		return HiveSoftware
	}
	return ""
}

// baseName returns the last component of the base block's file name.
func baseName(fileName string) string {
	name := strings.TrimSpace(fileName)
	if i := strings.LastIndexAny(name, `\/`); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// byFileName names the hive from the base block's file name
// (`\SystemRoot\System32\Config\SYSTEM`, `...\Cluster\CLUSDB`).
func byFileName(fileName string) string {
	name := strings.ToUpper(baseName(fileName))
	for _, ext := range []string{".SAV", ".ALT", ".BAK", ".OLD"} {
		name = strings.TrimSuffix(name, ext)
	}
	switch name {
	case "SYSTEM":
		return HiveSystem
	case "SOFTWARE":
		return HiveSoftware
	case "SAM":
		return HiveSAM
	case "SECURITY":
		return HiveSecurity
	case "CLUSDB", "CLUSTER":
		return HiveCluster
	}
	return ""
}

// identify names the hive and where it is mounted in HKLM. note is set
// when the base block and the keys disagree.
func identify(fileName string, rootNames []string) (hive, mount, note string) {
	keys, file := byRootKeys(rootNames), byFileName(fileName)
	switch {
	case keys != "" && file != "" && keys != file:
		hive = keys
		note = fmt.Sprintf("the base block names the file %q but its keys are those of a %s hive: read as %s", fileName, keys, keys)
	case keys != "":
		hive = keys
	default:
		hive = file
	}
	if hive != "" {
		return hive, hive, note
	}
	mount = baseName(fileName)
	if c, ok := model.CleanKeyPath(mount); !ok || c != mount || strings.ContainsFunc(mount, func(r rune) bool { return r < 0x20 || r == 0xFFFD }) {
		mount = ""
	}
	if mount == "" {
		mount = "HIVE"
	}
	return "", mount, note
}
