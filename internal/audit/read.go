package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"runtime/debug"
	"strings"

	"github.com/ipseclint/ipseclint/internal/inputs"
	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/parsers/detect"
	"github.com/ipseclint/ipseclint/parsers/hive"
	"github.com/ipseclint/ipseclint/parsers/netsh"
	"github.com/ipseclint/ipseclint/parsers/regfile"
	"github.com/ipseclint/ipseclint/parsers/textenc"
)

// fileJob is one file to read and what came of it.
type fileJob struct {
	entry    inputs.Entry
	kind     detect.Result // what it was sniffed as, once sniffed is set
	sniffed  bool          // set by the plan, else by read
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
	// kept is Options.Keep: what to keep beyond the model (keeptext.go).
	kept *Kept
	// opened is the entry as read opened it to sniff it, for its parser
	// to read instead of opening it again; nil once taken or closed.
	opened *headFile
}

// headFile is an entry on disk opened to be sniffed, its head read into
// a buffer of heads: reading it gives the head, then the rest of the
// file; closing it closes the file and gives the buffer back.
type headFile struct {
	io.Reader
	rc  io.ReadCloser
	buf *[]byte
}

// Close closes the file and gives the head's buffer back to heads.
func (h *headFile) Close() error {
	err := h.rc.Close()
	heads.Put(h.buf)
	return err
}

// read reads one file, first sniffing it if the plan did not. A parser
// that panics fails that file, never the audit.
func (j *fileJob) read() {
	if !j.sniffed {
		j.sniffOpen()
		defer j.closeOpened()
	}
	j.file = &retained.files.Make(1)[0] // see retained
	*j.file = model.InputFile{Path: j.entry.Path, Name: j.entry.Name, Size: j.entry.Size, Kind: j.kind.Kind, Detail: j.kind.Detail}
	j.tree, j.stores, j.logsUsed, j.decodedIn = nil, nil, nil, ""
	defer func() {
		if p := recover(); p != nil {
			j.file.Status = model.StatusFailed
			j.file.Reason = fmt.Sprintf("internal error while reading the file: %v (please report it)", p)
			j.file.Notes = append(j.file.Notes, string(debug.Stack()))
			j.tree, j.stores = nil, nil
		}
	}()
	r := readerOf(j.kind.Kind)
	switch {
	case j.kind.Detail == unreadable:
		j.fail(j.readError())
	case r == nil:
		j.file.Status, j.file.Reason = model.StatusSkipped, "not a file ipseclint reads: "+j.kind.Detail
	case r.read == nil:
		j.file.Binary = r.binary
		j.file.Status, j.file.Reason = model.StatusSkipped, r.skip
	default:
		j.file.Binary = r.binary
		r.read(j)
	}
}

// sniffOpen sniffs an entry the plan did not. One on disk is opened as
// its parser would open it (Entry.Open) and its head read once: it is
// sniffed from that head (the same detect.Sniff of the same bytes as
// sniff) and kept open in j.opened for the parser (openEntry), so that
// the file is opened once. An archive member is sniffed as the plan
// would (sniff). An entry that cannot be opened or whose head cannot be
// read is marked unreadable, for read to report (readError).
func (j *fileJob) sniffOpen() {
	j.sniffed = true
	if j.entry.Path == "" {
		j.kind = sniff(j.entry)
		return
	}
	rc, err := j.entry.Open()
	if err != nil {
		j.kind = detect.Result{Kind: model.KindUnknown, Detail: unreadable}
		return
	}
	buf := heads.Get().(*[]byte)
	n, err := io.ReadFull(rc, *buf)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		rc.Close()
		heads.Put(buf)
		j.kind = detect.Result{Kind: model.KindUnknown, Detail: unreadable}
		return
	}
	head := (*buf)[:n]
	j.kind = detect.Sniff(head, "")
	j.opened = &headFile{Reader: io.MultiReader(bytes.NewReader(head), rc), rc: rc, buf: buf}
}

// closeOpened closes the entry sniffOpen kept open if its parser did not
// take it (a kind read otherwise, or not read).
func (j *fileJob) closeOpened() {
	if j.opened != nil {
		j.opened.Close()
		j.opened = nil
	}
}

// openEntry opens the entry's content for a parser: the file sniffOpen
// kept open, read from its start, when there is one (it is then taken),
// else Entry.Open.
func (j *fileJob) openEntry() (io.ReadCloser, error) {
	if h := j.opened; h != nil {
		j.opened = nil
		return h, nil
	}
	return j.entry.Open()
}

// readError is why the entry cannot be opened.
func (j *fileJob) readError() error {
	rc, err := j.entry.Open()
	if err != nil {
		return err
	}
	rc.Close()
	return errors.New("its first bytes could not be read")
}

func (j *fileJob) fail(err error) {
	j.file.Status, j.file.Reason = model.StatusFailed, errText(err)
}

// readAllOf reads the whole entry (bounded by the size limit it was
// listed with).
func (j *fileJob) readAllOf() ([]byte, error) {
	rc, err := j.entry.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func (j *fileJob) readReg() {
	rc, err := j.openEntry()
	if err != nil {
		j.fail(err)
		return
	}
	defer rc.Close()
	res, err := regfile.Parse(rc, j.entry.Name, regfile.Options{Filter: j.filter, CodePage: j.codepage})
	if err != nil {
		j.file.Status, j.file.Reason = model.StatusFailed, withoutName(err, j.entry.Name)
		return
	}
	j.tree = res.Tree
	j.noteEncoding(res.Encoding)
	j.file.Detail = strings.TrimSpace(res.Header + ", " + res.Encoding.String())
	recordText(j.file, res.Errors, res.Warnings, "syntax error(s)")
	j.file.Hives = j.tree.Subkeys("")
	j.keepRegText()
}

func (j *fileJob) readHive() {
	res, err := j.hiveResult(hive.Options{Filter: j.filter, Logs: j.logs, Cells: j.kept.cellSink()})
	if errors.Is(err, errNotRead) {
		return
	}
	if err != nil {
		j.file.Status, j.file.Reason = model.StatusFailed, "could not read the hive: "+withoutName(err, j.entry.Name)
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

// errNotRead says that hiveResult could not open the file (j.fail said
// why).
var errNotRead = errors.New("not read")

// hiveResult reads the hive: a file on disk is mapped (a 900 MB hive is
// not copied into memory), opened for that (the file sniffOpen kept open
// is closed first), an archive member read whole.
func (j *fileJob) hiveResult(opts hive.Options) (*hive.Result, error) {
	j.closeOpened()
	f, onDisk, err := j.entry.OpenFile()
	if onDisk {
		if err != nil {
			j.fail(err)
			return nil, errNotRead
		}
		defer f.Close()
		return hive.ReadFile(f, j.entry.Name, opts)
	}
	data, err := j.readAllOf()
	if err != nil {
		j.fail(err)
		return nil, errNotRead
	}
	return hive.Read(data, j.entry.Name, opts)
}

func (j *fileJob) readNetsh() {
	rc, err := j.openEntry()
	if err != nil {
		j.fail(err)
		return
	}
	defer rc.Close()
	res, err := netsh.ParseReader(rc, j.entry.Name, netsh.Options{CodePage: j.codepage, Form: j.sniffedForm(), KeepText: j.kept.wantsText() && !j.tooLarge()})
	if err != nil {
		j.file.Status, j.file.Reason = model.StatusFailed, withoutName(err, j.entry.Name)
		return
	}
	j.stores = res.Stores
	j.noteEncoding(res.Encoding)
	j.file.Detail = strings.TrimSpace(j.file.Detail + ", " + res.Encoding.String())
	recordText(j.file, res.Errors, res.Warnings, "line(s) not understood")
	j.keepNetshText(res.Text)
}

// sniffedForm is the netsh form the plan's sniffing found, when the
// file's head reads the same in the code page it is parsed in (the plan
// sniffs in the default one): the parser need not sniff it again. ""
// otherwise.
func (j *fileJob) sniffedForm() string {
	if j.kind.Form == "" {
		return ""
	}
	if j.kind.CodePage != "" {
		if _, cp, err := textenc.CodePage(j.codepage); err != nil || !strings.EqualFold(cp, j.kind.CodePage) {
			return ""
		}
	}
	return j.kind.Form
}

// logs returns the transaction logs beside a hive: the files of its
// folder named like it plus .LOG, .LOG1 or .LOG2 (any case), read only
// when the hive is dirty.
func (j *fileJob) logs() []hive.Log {
	base := strings.ToLower(path.Base(j.entry.Name))
	var out []hive.Log
	for _, e := range j.host.entries {
		n := strings.ToLower(path.Base(e.Name))
		if e.Dir != j.entry.Dir || !strings.HasPrefix(n, base+".log") || len(n) > len(base)+5 {
			continue
		}
		rc, err := e.Open()
		if err != nil {
			continue
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err == nil {
			out = append(out, hive.Log{Name: e.Name, Data: data})
		}
	}
	return out
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
