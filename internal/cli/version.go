package cli

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// build is what the binary knows of how it was built.
type build struct {
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Time     string `json:"time,omitempty"`
	Go       string `json:"go"`
}

// buildInfo reads the module version and the VCS stamp from the build
// information. An unreleased build gets SemVer's form for it
// (0.0.0-devel), since SARIF consumers compare tool versions that start
// with a number; a build made with -buildvcs=false has no commit.
func buildInfo() build {
	b := build{Version: "0.0.0-devel", Go: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		b.Version = v
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		case "vcs.time":
			b.Time = s.Value
		}
	}
	return b
}

// versionLine is `ipseclint --version`'s output.
func versionLine() string {
	b := buildInfo()
	parts := []string{"ipseclint " + b.Version}
	if b.Commit != "" {
		c := b.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		if b.Modified {
			c += "+modified"
		}
		parts = append(parts, "commit "+c)
	}
	parts = append(parts, b.Go)
	return strings.Join(parts, ", ")
}

func newVersionCmd(env *environment) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version (--format json for scripts)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch strings.ToLower(format) {
			case "text", "":
				_, err := fmt.Fprintln(env.stdout, versionLine())
				return err
			case "json":
				enc := json.NewEncoder(env.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(buildInfo())
			}
			return fmt.Errorf("--format %q: expected text or json", format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "text or json")
	return cmd
}
