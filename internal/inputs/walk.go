package inputs

import (
	"cmp"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// walker lists what lies under the paths given.
type walker struct {
	opts      Options
	paths     []string // absolute, clean, in the order given
	set       *Set
	realRoots []string          // Root and every folder given, links resolved
	files     map[string]string // display name -> absolute path, for entries listed
	dirs      map[dirKey]string // folder identity -> display name, for folders walked
	skipped   map[string]bool   // display names already skipped
	stack     []dirKey          // the folders being walked, outermost first
	listed    map[string]bool   // paths read from standard input
	seq       int
	budget    budget
	dups      map[string]*duplicates // archive members named like one listed, by name
	pending   []pendingFile          // files met whose heads are not read yet
}

func newWalker(paths []string, opts Options) *walker {
	root := commonRoot(paths)
	w := &walker{
		opts:    opts,
		paths:   paths,
		set:     &Set{Root: root, pool: newPool()},
		files:   map[string]string{},
		dirs:    map[dirKey]string{},
		skipped: map[string]bool{},
		budget:  budget{maxTotal: opts.MaxArchiveTotal, maxEntries: opts.MaxArchiveEntries},
	}
	w.realRoots = append(w.realRoots, realPath(root))
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			w.realRoots = append(w.realRoots, realPath(p))
		}
	}
	return w
}

func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

func (w *walker) name(abs string) string { return relName(w.set.Root, abs) }

// skip records a skipped path once.
func (w *walker) skip(sk Skipped) {
	if sk.Dir == "" {
		sk.Dir = displayDir(sk.Name)
	}
	if w.skipped[sk.Name] {
		return
	}
	w.skipped[sk.Name] = true
	w.set.Skipped = append(w.set.Skipped, sk)
}

// arg lists one path given: a link given is followed when it stays in
// the audited folders (or names a folder, which then is one of them).
func (w *walker) arg(abs string) {
	name := w.name(abs)
	if w.listed[abs] {
		if h := w.hiddenPart(name); h != "" {
			w.skip(Skipped{Name: h, Path: filepath.Join(w.set.Root, filepath.FromSlash(h)), Kind: KindHidden, Reason: "hidden entry, not read"})
			return
		}
	}
	fi, err := os.Lstat(abs)
	if err != nil {
		kind, reason := statErrKind(err, false)
		w.skip(Skipped{Name: name, Path: abs, Kind: kind, Reason: reason})
		return
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		w.link(abs, name, true)
		return
	}
	w.node(abs, name, fi)
}

func (w *walker) node(abs, name string, fi fs.FileInfo) {
	switch {
	case fi.IsDir():
		w.dir(abs, name, fi)
	case fi.Mode().IsRegular():
		w.file(abs, name, fi, "")
	default:
		kind, reason := specialKind(fi.Mode(), false)
		w.skip(Skipped{Name: name, Path: abs, Kind: kind, Reason: reason})
	}
}

// link examines a symbolic link met (or given, when given is true) and
// lists what it leads to when it is safe to follow.
func (w *walker) link(abs, name string, given bool) {
	text, _ := os.Readlink(abs)
	sk := Skipped{Name: name, Path: abs, Target: text}
	fi, err := os.Stat(abs)
	if err != nil {
		sk.Kind, sk.Reason = statErrKind(err, true)
		w.skip(sk)
		return
	}
	target := realPath(abs)
	switch {
	case fi.IsDir() && given:
		w.dir(abs, name, fi)
	case fi.IsDir() && within(realPath(filepath.Dir(abs)), target):
		sk.Kind, sk.Reason = KindLoop, "link to an enclosing folder (a loop), not followed"
		w.skip(sk)
	case !fi.Mode().IsRegular():
		sk.Kind, sk.Reason = specialKind(fi.Mode(), true)
		w.skip(sk)
	case !w.inRoots(target):
		sk.Kind, sk.Reason = KindOutsideRoot, "link leaves the audited folder (it points to "+text+"), not followed"
		w.skip(sk)
	default:
		w.file(target, name, fi, text)
	}
}

func (w *walker) inRoots(real string) bool {
	for _, r := range w.realRoots {
		if within(real, r) {
			return true
		}
	}
	return false
}

// dir walks a folder, once: a folder met again through another path is
// reported as a duplicate, one met again inside itself as a loop.
func (w *walker) dir(abs, name string, fi fs.FileInfo) {
	key := keyOf(abs, fi)
	if first, seen := w.dirs[key]; seen {
		switch {
		case w.onStack(key):
			w.skip(Skipped{Name: name, Path: abs, Kind: KindLoop, Reason: "the same folder as " + quoteName(first) + ", which encloses it (a loop); not read again"})
		case first != name:
			w.skip(Skipped{Name: name, Path: abs, Kind: KindDuplicate, Reason: "the same folder as " + quoteName(first) + ", already listed"})
		}
		return
	}
	w.dirs[key] = name
	w.stack = append(w.stack, key)
	defer func() { w.stack = w.stack[:len(w.stack)-1] }()
	entries, err := os.ReadDir(abs)
	if err != nil {
		w.skip(Skipped{Name: name, Path: abs, Kind: KindUnreadable, Reason: "folder could not be read: " + errText(err)})
	}
	for _, e := range entries {
		w.child(filepath.Join(abs, e.Name()), joinName(name, e.Name()), e)
	}
}

func (w *walker) onStack(key dirKey) bool {
	for _, k := range w.stack {
		if k == key {
			return true
		}
	}
	return false
}

func (w *walker) child(abs, name string, e fs.DirEntry) {
	if w.hidden(e.Name()) {
		w.skip(Skipped{Name: name, Path: abs, Kind: KindHidden, Reason: "hidden entry, not read"})
		return
	}
	if e.Type()&fs.ModeSymlink != 0 {
		w.link(abs, name, false)
		return
	}
	fi, err := e.Info()
	if err != nil {
		kind, reason := statErrKind(err, false)
		w.skip(Skipped{Name: name, Path: abs, Kind: kind, Reason: reason})
		return
	}
	w.node(abs, name, fi)
}

// hiddenPart returns the display name up to the first hidden part of
// name, "" if no part is hidden.
func (w *walker) hiddenPart(name string) string {
	segs := strings.Split(name, "/")
	for i, seg := range segs {
		if seg != "." && seg != ".." && w.hidden(seg) {
			return strings.Join(segs[:i+1], "/")
		}
	}
	return ""
}

func (w *walker) hidden(base string) bool {
	if !strings.HasPrefix(base, ".") {
		return false
	}
	for _, allowed := range w.opts.AllowHidden {
		if strings.EqualFold(base, allowed) {
			return false
		}
	}
	return true
}

// file lists a regular file on disk: as an archive's members when its
// content says it is one, else as an entry. path is where it is read
// (a link's target); link is the link's text when reached through one.
// Its first bytes are read later, with every other file's, in parallel
// (readHeads): file only claims its name and notes it as pending.
func (w *walker) file(path, name string, fi fs.FileInfo, link string) {
	if first, seen := w.files[name]; seen {
		if first != path {
			w.skip(Skipped{Name: name, Path: path, Kind: KindDuplicate, Reason: "another input has the same name; the first is read"})
		}
		return
	}
	w.files[name] = path
	w.pending = append(w.pending, pendingFile{path: path, name: name, size: fi.Size(), link: link})
}

// pendingFile is a regular file on disk the walk met, whose first bytes
// are still to be read: then it is listed as an archive or an entry.
type pendingFile struct {
	path, name, link string
	size             int64
	// what reading its head gave (readHeads)
	format  format
	sniffed any
	err     error
}

// listPending reads the first bytes of every file the walk met, in
// parallel, and then, in the order the walk met them, lists each as an
// archive (whose members are listed there and then) or an entry. Reading
// the heads of a fleet's files one after another was a tenth of an
// audit of 10,000 hosts.
func (w *walker) listPending() {
	pending := w.pending
	w.pending = nil
	size := max(sniffSize, w.opts.HeadSize)
	parallel(len(pending), func() func(i int) {
		buf := make([]byte, size)
		return func(i int) { pending[i].readHead(buf, w.opts) }
	})
	for i := range pending {
		w.listFile(&pending[i])
		pending[i] = pendingFile{}
	}
}

// readHead reads a pending file's first bytes into buf and tells from
// them whether it is an archive; for a file that is not one, it gives
// them to opts.Sniff.
func (pf *pendingFile) readHead(buf []byte, opts Options) {
	head, err := readHead(pf.path, false, buf)
	if err != nil {
		pf.err = err
		return
	}
	pf.format = sniff(head[:min(len(head), sniffSize)])
	if pf.format == formatNone && opts.Sniff != nil && pf.size <= opts.MaxFileSize {
		pf.sniffed = opts.Sniff(head[:min(len(head), cmp.Or(opts.HeadSize, sniffSize))])
	}
}

// listFile lists a pending file once its head is read.
func (w *walker) listFile(pf *pendingFile) {
	switch {
	case pf.err != nil:
		w.skip(fileErrSkip(pf.name, pf.path, pf.err))
	case pf.format != formatNone:
		w.topArchive(pf.path, pf.name, pf.size, pf.format)
	case pf.size > w.opts.MaxFileSize:
		w.skip(tooLarge(pf.name, pf.path, pf.size, w.opts.MaxFileSize))
	default:
		w.add(Entry{Name: pf.name, Path: pf.path, Size: pf.size, Link: pf.link, limit: w.opts.MaxFileSize, Sniffed: pf.sniffed})
	}
}

// parallel calls work(0) ... work(n-1) from GOMAXPROCS goroutines, each
// index once; each goroutine calls newWorker once for its own function
// (and its own buffers).
func parallel(n int, newWorker func() func(i int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		if n > 0 {
			fn := newWorker()
			for i := range n {
				fn(i)
			}
		}
		return
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn := newWorker()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

func (w *walker) add(e Entry) {
	if e.Dir == "" {
		e.Dir = displayDir(e.Name)
	}
	e.Seq = w.seq
	w.seq++
	w.set.Entries = append(w.set.Entries, e)
}

func tooLarge(name, path string, size, limit int64) Skipped {
	return Skipped{Name: name, Path: path, Kind: KindPastMaxSize, Size: size, Limit: limit,
		Reason: "file is " + sizeText(size) + ", past the limit of " + sizeText(limit) + "; not read"}
}

// fileErrSkip says why a file that was examined could not be opened.
func fileErrSkip(name, path string, err error) Skipped {
	sk := Skipped{Name: name, Path: path}
	if errors.Is(err, ErrNotRegular) {
		sk.Kind, sk.Reason = KindIrregular, "file changed while it was examined: "+errText(err)
		return sk
	}
	sk.Kind, sk.Reason = statErrKind(err, false)
	if sk.Kind == KindUnreadable {
		sk.Reason = "could not be read: " + errText(err)
	}
	return sk
}

// readHead reads up to len(buf) leading bytes of the regular file at
// path into buf; the walk has just checked its mode (openStated).
func readHead(path string, follow bool, buf []byte) ([]byte, error) {
	f, _, err := openStated(path, follow)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	k, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	return buf[:k], nil
}

func quoteName(name string) string { return `"` + name + `"` }
