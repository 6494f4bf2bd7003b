// Package fleetconfig reads ipseclint.yaml: what an auditor declares about
// the fleet where the exports cannot tell (each host's role, addresses,
// code page, cluster and NLB membership; the back-end's virtual
// addresses), and the tool's settings (rules switched off or given another
// severity, the exit threshold, default output formats, accepted risks).
//
//	hosts:
//	  EXFE01: {role: frontend}
//	  EXBE01: {role: backend, addresses: [10.0.0.21], cluster_node: true}
//	  EXJP01: {role: frontend, codepage: cp932}
//	backends:
//	  virtual_addresses: [10.0.0.50]
//	codepage: cp1252
//	rules:
//	  disable: [IPSEC011]
//	  severity: {IPSEC004: error}
//	fail-on: warning
//	output:
//	  formats: [table, sarif=ipseclint.sarif]
//	accepted:
//	  - {rule: IPSEC001, host: EXFE01, reason: agreed with the service owner, expires: 2027-06-30}
//
// docs/configuration.md describes every key and docs/ipseclint.schema.json
// is the JSON Schema editors validate the file with; a test keeps the
// schema and the parser's keys equal.
//
// Every mistake is reported once, with its line and column and a plain
// message; what is valid still applies. The parser does not know the rule
// IDs or output format names: model.FleetConfig's CheckRules and
// CheckFormats check those.
package fleetconfig

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/ipseclint/ipseclint/internal/model"
)

// FileName is the name the configuration is looked for under in an
// audited folder.
const FileName = "ipseclint.yaml"

// MaxSize is the largest configuration read, in bytes (1 MiB). A real
// configuration is a few kilobytes; the limit keeps a wrong file named
// ipseclint.yaml from filling memory.
const MaxSize = 1 << 20

// ParseFile reads the configuration at path. It refuses anything but a
// regular file (symbolic links are followed) without opening it, so that
// a FIFO or a device named ipseclint.yaml cannot block the run, and files
// over MaxSize.
func ParseFile(path string) (*model.FleetConfig, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

func readFile(path string) ([]byte, error) {
	fail := func(err error) error {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return &model.ParseError{File: path, Err: err}
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fail(err)
	}
	if !st.Mode().IsRegular() {
		return nil, fail(fmt.Errorf("not a regular file (%s); the configuration must be a YAML file", fileKind(st.Mode())))
	}
	if st.Size() > MaxSize {
		return nil, fail(tooBig(st.Size()))
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, fail(err)
	}
	defer f.Close()
	if now, err := f.Stat(); err != nil || !os.SameFile(st, now) {
		return nil, fail(errors.New("the file changed while it was being opened"))
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fail(err)
	}
	if len(data) > MaxSize {
		return nil, fail(tooBig(int64(len(data))))
	}
	return data, nil
}

// openNoBlock opens path for reading without waiting for a writer, should
// a FIFO have taken the checked file's place.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|openFlags, 0)
}

func tooBig(size int64) error {
	return fmt.Errorf("the file is larger than %d KiB (%d bytes or more): not an ipseclint configuration", MaxSize>>10, size)
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

// Parse reads a configuration from data; file names it in messages and
// locations. Every mistake is reported (unknown keys, values of the wrong
// kind, bad roles, addresses, code pages, dates), each once, joined into
// one error of *model.ParseError values in the order of the file; the
// configuration is still returned with everything that was valid. Only a
// file that is not YAML at all, or over MaxSize, returns a nil
// configuration.
func Parse(data []byte, file string) (*model.FleetConfig, error) {
	if len(data) > MaxSize {
		return nil, &model.ParseError{File: file, Err: tooBig(int64(len(data)))}
	}
	root, extra, err := decode(data, file)
	if err != nil {
		return nil, err
	}
	p := newParser(file)
	p.errs = extra
	cfg := &model.FleetConfig{File: file, Hosts: map[string]*model.HostConfig{}}
	if root != nil {
		p.budget = 2*countNodes(root) + visitSlack
		p.top(root, cfg)
	}
	return cfg, p.result()
}
