package inputs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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
	// head is the buffer each file's first bytes are read into, to tell
	// an archive from them: one for the walk, not one per file.
	head []byte
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
func (w *walker) file(path, name string, fi fs.FileInfo, link string) {
	if first, seen := w.files[name]; seen {
		if first != path {
			w.skip(Skipped{Name: name, Path: path, Kind: KindDuplicate, Reason: "another input has the same name; the first is read"})
		}
		return
	}
	w.files[name] = path
	if w.head == nil {
		w.head = make([]byte, sniffSize)
	}
	head, err := readHead(path, false, w.head)
	if err != nil {
		w.skip(fileErrSkip(name, path, err))
		return
	}
	if f := sniff(head); f != formatNone {
		w.topArchive(path, name, fi.Size(), f)
		return
	}
	if fi.Size() > w.opts.MaxFileSize {
		w.skip(tooLarge(name, path, fi.Size(), w.opts.MaxFileSize))
		return
	}
	w.add(Entry{Name: name, Path: path, Size: fi.Size(), Link: link, limit: w.opts.MaxFileSize})
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
// path into buf.
func readHead(path string, follow bool, buf []byte) ([]byte, error) {
	f, _, err := openRegular(path, follow)
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
