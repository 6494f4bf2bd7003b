// Package hive reads binary registry hives (regf files: SYSTEM,
// SOFTWARE, the cluster hive CLUSDB, ...) collected off servers into the
// model's registry tree, mounted at the hive's place in HKLM. The hive is
// recognized from its root keys (SYSTEM: Select and ControlSetNNN;
// SOFTWARE: Microsoft; cluster: Resources with Groups or Nodes; SAM;
// SECURITY) or else from the file name its base block records; other
// hives are mounted under that name.
//
// Records are decoded with regparser (www.velocidex.com/golang/regparser)
// structure definitions (records.go), but the reader trusts nothing in
// the file: the base block, every hive bin header and every cell are
// checked before use, lists are walked with a
// record of the cells already read (so loops end) and a depth limit, and
// damage is reported per key instead of stopping the audit. A file gets
// one of three verdicts: read; read with damage noted (Result.Damage:
// what could not be read and why, the rest is read); or unreadable (the
// error: not a hive, a transaction log, cut short before its first hive
// bin, an unreadable root key).
//
// A hive is dirty when Windows was writing it when it was copied (the
// base block's two sequence numbers differ) or when its base block fails
// its checksum: its newest changes are then in the .LOG (Windows 2000 to
// 2003), .LOG1 and .LOG2 (Vista and later) files beside it. They are
// applied in memory, as Windows applies them at boot, in the old format
// (dirty vector and sectors, up to Windows 8) and the new one (HvLE
// entries, from Windows 8.1); the input files are never modified and
// nothing is written to disk. Result.Notes says which logs were applied,
// or that recent changes may be missing.
//
// With a key filter only the wanted subtrees are walked, and hive bins
// are found only when a cell in them is needed, so the time to read the
// few keys the rules need does not grow with the hive's size.
package hive

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// Options say what to read.
type Options struct {
	// Filter names the subtrees to read (HKLM paths such as
	// `SYSTEM\CurrentControlSet\Services\PolicyAgent`); only they are
	// walked. SYSTEM\Select is always read from a SYSTEM hive. nil reads
	// the whole hive.
	Filter *model.KeyFilter
	// Name is the file's display name, used in every location and
	// message instead of the path it is opened at ("" = the path).
	Name string
	// Logs returns the transaction logs beside the hive, for a dirty
	// hive; it is called only when the hive is dirty. nil makes Open look
	// for them in the hive's folder (and Read use none).
	Logs func() []Log
	// Cells, when set, is told where each key walked and value read lies
	// in the file (see Cell); it is called as the hive is read.
	Cells func(Cell)
}

// Log is a transaction log of a hive (SYSTEM.LOG, SYSTEM.LOG1, ...).
type Log struct {
	// Name identifies the log in Result.LogsUsed; its extension (after
	// the last ".", any case) says which log it is: LOG, LOG1 or LOG2.
	Name string
	Data []byte
}

// logsOf turns the caller's logs into the reader's, keeping those named
// like a log.
func logsOf(get func() []Log) func() []logFile {
	return func() []logFile {
		var out []logFile
		for _, l := range get() {
			i := strings.LastIndexByte(l.Name, '.')
			if i < 0 {
				continue
			}
			for _, ext := range logExts {
				if strings.EqualFold(l.Name[i+1:], ext) {
					out = append(out, logFile{path: l.Name, ext: ext, data: l.Data})
				}
			}
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].ext < out[j].ext })
		return out
	}
}

// Result is what was read from one hive file.
type Result struct {
	// Tree holds the keys read, mounted at their HKLM path (SYSTEM\...,
	// SOFTWARE\..., Cluster\...; other hives under the last component of
	// the base block's file name, or HIVE).
	Tree *model.RegTree
	// Hive is SYSTEM, SOFTWARE, Cluster, SAM, SECURITY, or "" when unknown.
	Hive string
	// Mount is the HKLM-relative path the root key was mounted at.
	Mount string
	// Damage lists what was found broken while reading (bad cells, loops,
	// cut lists). When it is not empty the file was only partly read.
	Damage []model.Problem
	// Notes are facts about the reading worth reporting: a dirty hive and
	// whether its logs were applied, how the control set was resolved.
	Notes []string
	// LogsUsed are the paths of the transaction logs applied.
	LogsUsed []string
	// CurrentSet is N of ControlSet00N as SYSTEM\Select\Current names it
	// (SYSTEM hives only); 0 when unknown.
	CurrentSet int

	stats readStats
}

// readStats says how much of the hive a read touched (for tests of lazy
// reading).
type readStats struct {
	bins   int // valid hive bins in the file
	mapped int // bins whose cells were looked at
}

// Open reads the hive at path, applying the logs beside it if the hive
// is dirty. The error says in one sentence why the file could not be read
// at all (not a hive, a log, cut short before its first hive bin, ...);
// a hive that could be read in part returns a Result with Damage.
func Open(path string, opts Options) (*Result, error) {
	data, release, err := load(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the hive: %w", err)
	}
	defer release()
	name := opts.Name
	if name == "" {
		name = path
	}
	logs := func() []logFile { return findLogs(path) }
	if opts.Logs != nil {
		logs = logsOf(opts.Logs)
	}
	return read(name, data, logs, opts)
}

// ReadFile reads the hive in the open file f (mapped where the system
// allows, as Open does), named name in every location and message;
// opts.Logs gives the logs beside it. The caller closes f.
func ReadFile(f *os.File, name string, opts Options) (*Result, error) {
	data, release, err := loadFile(f)
	if err != nil {
		return nil, fmt.Errorf("cannot read the hive: %w", err)
	}
	defer release()
	return Read(data, name, opts)
}

// Read reads a hive held in memory (an archive member, say) named name in
// every location and message; opts.Logs gives the logs beside it.
func Read(data []byte, name string, opts Options) (*Result, error) {
	var logs func() []logFile
	if opts.Logs != nil {
		logs = logsOf(opts.Logs)
	}
	return read(name, data, logs, opts)
}

// failure is an error that makes the whole file unreadable.
func failure(path, format string, args ...any) error {
	return fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...))
}

// read parses a hive held in memory. logs lists the transaction logs
// beside it (nil: none looked for). A bug that panics, or a fault reading
// the mapped file, fails this file only, never the audit. Nothing in the
// result refers to data: values and names are copies.
func read(path string, data []byte, logs func() []logFile, opts Options) (res *Result, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, failure(path, "internal error while reading the hive (%v): please report it with the file", r)
		}
	}()
	return parse(path, data, logs, opts)
}

// parse is read without the safety net, for the fuzz tests to see panics.
func parse(path string, data []byte, logs func() []logFile, opts Options) (*Result, error) {
	if err := checkSignature(path, data); err != nil {
		return nil, err
	}
	bb := parseBaseBlock(data)
	res := &Result{}
	dmg := &damages{file: path}
	orig := data
	if bb.dirty() {
		data, bb = recoverDirty(path, data, bb, logs, res)
	}
	if err := checkBaseBlock(path, bb, dmg); err != nil {
		return nil, err
	}
	b, err := loadBins(path, data, bb, opts.Filter != nil, dmg)
	if err != nil {
		return nil, err
	}
	w := &walker{file: path, b: b, tree: model.NewRegTree(), dmg: dmg, cells: opts.Cells}
	if len(res.LogsUsed) > 0 {
		w.orig = orig
	}
	b.onBad = func(msg string) { dmg.add("", "", msg) }
	if err := w.walkHive(bb, opts, res); err != nil {
		return nil, err
	}
	res.Tree = w.tree
	res.Damage = dmg.list()
	res.stats = readStats{bins: len(b.start), mapped: len(b.maps)}
	return res, nil
}

// checkSignature rejects files that are not a hive at all.
func checkSignature(path string, d []byte) error {
	const tooShort = "only %d bytes: too short for a registry hive (a base block and one hive bin take 8 KiB)"
	switch {
	case len(d) >= 4 && string(d[:4]) == "hbin":
		return failure(path, "it begins with a hive bin, not a base block: it is a fragment of a hive, not a whole one")
	case len(d) < 4 || string(d[:4]) != "regf":
		return failure(path, "not a registry hive: it does not begin with the signature \"regf\"")
	case len(d) < logHeaderSize:
		return failure(path, tooShort, len(d))
	}
	if t := le.Uint32(d[0x1C:]); t == typeLogOld || t == typeLogVeryOld || t == typeLogNew {
		return failure(path, "this is %s, not a hive: a log is applied when it lies beside its hive", fileTypeName(t))
	}
	if len(d) < baseBlockSize+binAlign {
		return failure(path, tooShort, len(d))
	}
	return nil
}

// recoverDirty applies the logs beside a dirty hive, or notes that
// recent changes may be missing.
func recoverDirty(path string, data []byte, bb baseBlock, logs func() []logFile, res *Result) ([]byte, baseBlock) {
	var found []logFile
	if logs != nil {
		found = logs()
	}
	if len(found) == 0 {
		res.Notes = append(res.Notes, "hive was dirty and no logs were found: recent changes may be missing")
		return data, bb
	}
	rec, used, err := recoverHive(data, bb, found)
	if err != nil {
		res.Notes = append(res.Notes, fmt.Sprintf("hive was dirty and its logs could not be applied (%v): recent changes may be missing", err))
		return data, bb
	}
	names := make([]string, len(used))
	for i, u := range used {
		names[i] = filepath.Base(u)
	}
	res.LogsUsed = used
	res.Notes = append(res.Notes, fmt.Sprintf("hive was dirty; logs applied (%s)", strings.Join(names, ", ")))
	if !bb.checksumOK() {
		res.Notes = append(res.Notes, "the hive's base block failed its checksum and was restored from the log")
	}
	return rec, parseBaseBlock(rec)
}

// checkBaseBlock decides whether the base block's fields can be used.
// With a valid checksum an unknown version or format makes the file
// unreadable; with a bad checksum the fields are suspect: the damage is
// reported and the structures are read for what they are (the reader
// does not depend on the version: big data is recognized by its record).
func checkBaseBlock(path string, bb baseBlock, dmg *damages) error {
	trusted := bb.checksumOK()
	if !trusted {
		dmg.add("", "", fmt.Sprintf("the base block fails its checksum (stored 0x%08X, computed 0x%08X): its fields are used only where they look sane", bb.stored, bb.computed))
	}
	switch {
	case bb.fileType != typePrimary && trusted:
		return failure(path, "the base block has an unknown file type (%d)", bb.fileType)
	case bb.major != 1 && trusted:
		return failure(path, "registry format version %d.%d is not one Windows writes", bb.major, bb.minor)
	case bb.minor < 2 && trusted:
		return failure(path, "registry format version 1.%d (Windows NT 3.1) is not supported", bb.minor)
	case bb.format != 1 && trusted:
		return failure(path, "the base block names file format %d; only format 1 exists", bb.format)
	}
	return nil
}

// loadBins finds the hive bins the base block declares and reports those
// missing or broken. A filtered read finds them lazily (see bins).
func loadBins(path string, data []byte, bb baseBlock, lazy bool, dmg *damages) (*bins, error) {
	limit := baseBlockSize + int64(bb.binsSize)
	if !bb.binsSizeSane() {
		dmg.add("", "", fmt.Sprintf("the base block declares 0x%X bytes of hive bins, which is not a whole number of 4 KiB pages: bins are read up to the end of the file", bb.binsSize))
		limit = int64(len(data))
	}
	if limit > int64(len(data)) {
		dmg.add("", "", fmt.Sprintf("the file is cut short: the base block declares 0x%X bytes of hive bins but the file holds 0x%X", bb.binsSize, max(0, len(data)-baseBlockSize)))
		limit = int64(len(data))
	}
	if lazy {
		b, bad := lazyBins(data, int(limit))
		if bad != "" {
			return nil, failure(path, "no valid hive bin at offset 0x1000 (%s)", bad)
		}
		return b, nil
	}
	b, gaps := scanBins(data, int(limit))
	if len(b.start) == 0 || b.start[0] != baseBlockSize {
		why := "the file ends there"
		if len(gaps) > 0 {
			why = gaps[0].why
		}
		return nil, failure(path, "no valid hive bin at offset 0x1000 (%s)", why)
	}
	for _, g := range gapDamage(gaps) {
		dmg.add("", "", g)
	}
	return b, nil
}

// walkHive reads the root key, names the hive and walks what the filter
// wants.
func (w *walker) walkHive(bb baseBlock, opts Options, res *Result) error {
	root, err := w.readKeyNode(bb.root)
	if err != nil {
		return failure(w.file, "the root key cannot be read: %v", err)
	}
	w.b.claim(bb.root)
	w.quiet = true
	var rootNames []string
	for _, c := range w.children(root, "") {
		rootNames = append(rootNames, c.node.name)
	}
	w.quiet = false
	var note string
	res.Hive, res.Mount, note = identify(bb.fileName, rootNames)
	if note != "" {
		res.Notes = append(res.Notes, note)
	}
	w.want = opts.Filter
	if w.want != nil && res.Hive == HiveSystem {
		w.want = model.NewKeyFilter(append(append([]string{}, w.want.Paths()...), HiveSystem+`\Select`)...)
	}
	w.walkKey(root, res.Mount, 0)
	if res.Hive == HiveSystem {
		res.CurrentSet, note = currentSet(w.tree, res.Mount, rootNames)
		if note != "" {
			res.Notes = append(res.Notes, note)
		}
	}
	return nil
}

// currentSet resolves CurrentControlSet through Select\Current.
func currentSet(tree *model.RegTree, mount string, rootNames []string) (int, string) {
	v := tree.Key(mount + `\Select`).Value("Current")
	if v == nil {
		return 0, `SYSTEM\Select\Current is missing: CurrentControlSet cannot be resolved`
	}
	n, ok := v.AsDWORD()
	if !ok {
		return 0, `SYSTEM\Select\Current is not a REG_DWORD (` + v.Display() + `): CurrentControlSet cannot be resolved`
	}
	name := model.ControlSetName(int(n))
	for _, r := range rootNames {
		if strings.EqualFold(r, name) {
			return int(n), ""
		}
	}
	return int(n), `SYSTEM\Select\Current names ` + name + `, which does not exist in the hive`
}

// damages collects the damage found, up to a limit, so that a hostile
// file cannot fill memory with reports.
type damages struct {
	file    string
	items   []model.Problem
	dropped int
}

const maxDamage = 100

func (d *damages) add(key, value, msg string) {
	if len(d.items) >= maxDamage {
		d.dropped++
		return
	}
	d.items = append(d.items, model.Problem{Loc: model.Location{File: d.file, Key: key, Value: value}, Message: msg})
}

func (d *damages) list() []model.Problem {
	out := d.items
	if d.dropped > 0 {
		out = append(out, model.Problem{Loc: model.Location{File: d.file}, Message: fmt.Sprintf("%d more damaged structures not listed", d.dropped)})
	}
	return out
}
