package audit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/detect"
	"github.com/ipseclint/ipseclint/parsers/hive"
	"github.com/ipseclint/ipseclint/parsers/netsh"
	"github.com/ipseclint/ipseclint/parsers/regfile"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// fileJob is one file to read and what came of it.
type fileJob struct {
	path     string // as opened
	name     string // display name, given to the parsers for every location
	host     *hostPlan
	codepage string
	filter   *model.KeyFilter
	file     *model.InputFile
	tree     *model.RegTree
	stores   []*model.PolicyStore
	logsUsed []string
	// decodedIn is the code page 8-bit text was decoded in; "" when the
	// file was not 8-bit text.
	decodedIn string
}

// read reads one file. A parser that panics fails that file, never the
// audit.
func (j *fileJob) read() {
	j.file = &model.InputFile{Path: j.path, Name: j.name, Kind: model.KindUnknown}
	j.tree, j.stores, j.logsUsed, j.decodedIn = nil, nil, nil, ""
	defer func() {
		if p := recover(); p != nil {
			j.file.Status = model.StatusFailed
			j.file.Reason = fmt.Sprintf("internal error while reading the file: %v (please report it)", p)
			j.file.Notes = append(j.file.Notes, string(debug.Stack()))
			j.tree, j.stores = nil, nil
		}
	}()
	head, size, err := readHead(j.path)
	if err != nil {
		j.file.Status, j.file.Reason = model.StatusFailed, errText(err)
		return
	}
	j.file.Size = size
	kind := detect.Sniff(head, j.codepage)
	j.file.Kind, j.file.Detail = kind.Kind, kind.Detail
	r := readerOf(kind.Kind)
	switch {
	case r == nil:
		j.file.Status, j.file.Reason = model.StatusSkipped, "not a file ipseclint reads: "+kind.Detail
	case r.read == nil:
		j.file.Binary = r.binary
		j.file.Status, j.file.Reason = model.StatusSkipped, r.skip
	default:
		j.file.Binary = r.binary
		r.read(j)
	}
}

// readHead returns the first detect.HeadSize bytes of the file at path
// and the file's size.
func readHead(path string) ([]byte, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	head := make([]byte, detect.HeadSize)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, 0, err
	}
	return head[:n], st.Size(), nil
}

func (j *fileJob) readReg() {
	f, err := os.Open(j.path)
	if err != nil {
		j.file.Status, j.file.Reason = model.StatusFailed, errText(err)
		return
	}
	defer f.Close()
	res, err := regfile.Parse(f, j.name, regfile.Options{Filter: j.filter, CodePage: j.codepage})
	if err != nil {
		j.file.Status, j.file.Reason = model.StatusFailed, withoutName(err, j.name)
		return
	}
	j.tree = res.Tree
	j.noteEncoding(res.Encoding)
	j.file.Detail = strings.TrimSpace(res.Header + ", " + res.Encoding.String())
	recordText(j.file, res.Errors, res.Warnings, "syntax error(s)")
	j.file.Hives = j.tree.Subkeys("")
}

func (j *fileJob) readHive() {
	res, err := hive.Open(j.path, hive.Options{Filter: j.filter, Name: j.name})
	if err != nil {
		j.file.Status, j.file.Reason = model.StatusFailed, "could not read the hive: "+withoutName(err, j.name)
		return
	}
	j.tree = res.Tree
	j.logsUsed = res.LogsUsed
	if res.Hive != "" {
		j.file.Detail = res.Hive + " hive"
	}
	j.file.Status = model.StatusRead
	j.file.Problems = append(j.file.Problems, res.Damage...)
	j.file.Notes = append(j.file.Notes, res.Notes...)
	if len(res.Damage) > 0 {
		j.file.Status = model.StatusPartial
		j.file.Reason = fmt.Sprintf("the hive is damaged (%d problem(s)); what could be reached was read", len(res.Damage))
	}
	j.file.Hives = j.tree.Subkeys("")
	if res.Mount != "" && len(j.file.Hives) == 0 {
		j.file.Hives = []string{res.Mount}
	}
}

func (j *fileJob) readNetsh() {
	data, err := os.ReadFile(j.path)
	if err != nil {
		j.file.Status, j.file.Reason = model.StatusFailed, errText(err)
		return
	}
	res, err := netsh.Parse(data, j.name, netsh.Options{CodePage: j.codepage})
	if err != nil {
		j.file.Status, j.file.Reason = model.StatusFailed, withoutName(err, j.name)
		return
	}
	j.stores = []*model.PolicyStore{res.Store}
	j.noteEncoding(res.Encoding)
	j.file.Detail = strings.TrimSpace(j.file.Detail + ", " + res.Encoding.String())
	recordText(j.file, res.Errors, res.Warnings, "line(s) not understood")
}

// noteEncoding records the code page 8-bit text was decoded in.
func (j *fileJob) noteEncoding(info textenc.Info) {
	switch info.Encoding {
	case textenc.UTF8, textenc.UTF16LE, textenc.UTF16BE:
	default:
		j.decodedIn = info.Encoding
	}
}

// withoutName renders a parser's error without the file's own name in
// front of it: the outputs show the file beside its reason.
func withoutName(err error, name string) string {
	return strings.TrimPrefix(err.Error(), name+": ")
}

// recordText records what a text parser said of a file: its errors make
// the file partly read, its warnings are notes.
func recordText[E interface{ Problem() model.Problem }](f *model.InputFile, errs []E, warnings []model.Problem, what string) {
	f.Status = model.StatusRead
	for _, e := range errs {
		f.Problems = append(f.Problems, e.Problem())
	}
	for _, w := range warnings {
		f.Notes = append(f.Notes, noteText(w))
	}
	if len(errs) > 0 {
		f.Status = model.StatusPartial
		f.Reason = fmt.Sprintf("%d %s; the rest of the file was read", len(errs), what)
	}
}

func noteText(p model.Problem) string {
	if p.Loc.Line > 0 {
		return fmt.Sprintf("line %d: %s", p.Loc.Line, p.Message)
	}
	return p.Message
}
