package inputs

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// budget is what all the archives of a set may hold together.
type budget struct {
	total, maxTotal     int64
	entries, maxEntries int
}

// take reserves n bytes of member data, if they fit.
func (b *budget) take(n int64) bool {
	if b.total+n > b.maxTotal {
		return false
	}
	b.total += n
	return true
}

func (b *budget) refund(n int64) { b.total -= n }

// entry counts one member, if it fits.
func (b *budget) entry() bool {
	if b.entries >= b.maxEntries {
		return false
	}
	b.entries++
	return true
}

// charge counts n decompressed bytes of a stream being listed.
func (b *budget) charge(n int64) error {
	b.total += n
	if b.total > b.maxTotal {
		return b.overErr()
	}
	return nil
}

func (b *budget) overErr() error {
	return &limitError{kind: KindTooLarge, size: b.total, limit: b.maxTotal,
		msg: "the archives' members add up to more than " + sizeText(b.maxTotal) + ", the limit for all archives together"}
}

func (w *walker) newArchive(name string, f format, size int64) *archive {
	return &archive{pool: w.set.pool, name: name, format: f, size: size, maxFile: w.opts.MaxFileSize, ratio: w.opts.MaxRatio}
}

// topArchive lists an archive found on disk.
func (w *walker) topArchive(path, name string, size int64, f format) {
	a := w.newArchive(name, f, size)
	a.how, a.path = viaFile, path
	w.listArchive(a, path)
}

func (w *walker) listArchive(a *archive, path string) {
	var n int
	var err error
	switch {
	case a.format == formatZip:
		n, err = w.listZip(a)
	case a.streamed():
		n, err = w.listTarStream(a)
	default:
		n, err = w.listTarSeek(a)
	}
	var le *limitError
	switch {
	case errors.As(err, &le):
		w.skip(Skipped{Name: a.name, Path: path, Kind: le.kind, Size: le.size, Limit: le.limit, Reason: le.msg + "; nothing in it was read"})
		return
	case err != nil:
		w.skip(Skipped{Name: a.name, Path: path, Kind: kindOf(err),
			Reason: "not a readable " + a.format.String() + " archive (" + errText(err) + "); nothing in it was read"})
		return
	}
	w.set.Archives = append(w.set.Archives, Archive{Name: a.name, Path: path, Format: a.format.String(), Size: a.size, Members: n})
	if n == 0 && !w.listedUnder(a.name) {
		// Nothing in it is listed or skipped: the archive itself is, so
		// that every file given is accounted for.
		w.skip(Skipped{Name: a.name, Path: path, Kind: KindEmpty, Reason: "a " + a.format.String() + " archive that holds no file"})
	}
}

// listedUnder reports whether an entry or a skipped path lies in the
// archive (or folder) whose display name is name.
func (w *walker) listedUnder(name string) bool {
	for _, e := range w.set.Entries {
		if strings.HasPrefix(e.Name, name+"!") {
			return true
		}
	}
	for _, sk := range w.set.Skipped {
		if strings.HasPrefix(sk.Name, name+"!") || sk.Name == name {
			return true
		}
	}
	return false
}

// skipRest records that the rest of an archive was not listed.
func (w *walker) skipRest(a *archive, kind Kind, reason string) {
	w.skip(Skipped{Name: a.name, Path: a.path, Kind: kind, Reason: reason})
}

func (w *walker) tooManyMembers(a *archive) {
	w.skipRest(a, KindTooMany, fmt.Sprintf("the archives hold more than %d members together, the limit; the rest of this archive was not read", w.budget.maxEntries))
}

// memberName checks a member's name: the display name, or false when it
// is unsafe or hidden (recorded as skipped).
func (w *walker) memberName(a *archive, raw string) (string, bool) {
	clean, why := cleanMemberName(raw)
	if why != "" {
		w.skip(Skipped{Name: a.name + "!/" + raw, Dir: a.name + "!", Kind: KindUnsafeName, Reason: why + "; not read"})
		return "", false
	}
	if h := w.hiddenPart(clean); h != "" {
		w.skip(Skipped{Name: a.name + "!/" + h, Kind: KindHidden, Reason: "hidden entry, not read"})
		return "", false
	}
	return a.name + "!/" + clean, true
}

// isDirMember reports whether a member is a folder: typed as one, or
// named with a trailing slash ("EXFE01/", "./" as `tar -C dir .` writes
// the archive's root).
func isDirMember(raw string, typedDir bool) bool {
	return typedDir || strings.HasSuffix(strings.ReplaceAll(raw, `\`, "/"), "/")
}

// cleanMemberName normalises a member's name (backslashes as written by
// Windows tools become slashes, "./" goes) or says why it is unsafe: an
// absolute path, a drive letter, a ".." anywhere, a NUL byte.
func cleanMemberName(raw string) (string, string) {
	n := strings.ReplaceAll(raw, `\`, "/")
	switch {
	case raw == "":
		return "", "member with an empty name"
	case strings.IndexByte(n, 0) >= 0:
		return "", "member name holds a NUL byte"
	case strings.HasPrefix(n, "/"):
		return "", "member name is an absolute path"
	case len(n) >= 2 && n[1] == ':' && (n[0]|0x20 >= 'a' && n[0]|0x20 <= 'z'):
		return "", "member name starts with a drive letter"
	}
	for _, seg := range strings.Split(n, "/") {
		if seg == ".." {
			return "", `member name climbs out of the archive with ".."`
		}
	}
	clean := path.Clean(n)
	if clean == "." {
		return "", "member with an empty name"
	}
	return clean, ""
}

// claim records a member's display name; false (and a duplicate
// recorded) when the name is already listed.
func (w *walker) claim(name string) bool {
	if _, dup := w.files[name]; dup {
		w.duplicateMember(name)
		return false
	}
	w.files[name] = ""
	return true
}

// duplicateMember records a member named like one already listed: one
// skipped entry per name, which counts them all (an archive may hold a
// name many times, and each must be accounted for).
//
// The entry is appended here, not through skip, which lists a name once:
// the first member of the name may itself have been skipped (a link, past
// --max-file-size), and the others must still be counted.
func (w *walker) duplicateMember(name string) {
	if d, seen := w.dups[name]; seen {
		d.count++
		w.set.Skipped[d.at].Reason = fmt.Sprintf("%d more members of the same name; the first is the one listed before", d.count)
		return
	}
	if w.dups == nil {
		w.dups = map[string]*duplicates{}
	}
	w.dups[name] = &duplicates{at: len(w.set.Skipped), count: 1}
	w.set.Skipped = append(w.set.Skipped, Skipped{Name: name, Dir: displayDir(name), Kind: KindDuplicate,
		Reason: "a second member of the same name; the first is the one listed before"})
}

// duplicates are the members of one name after the first: where their
// skipped entry is, and how many there are.
type duplicates struct{ at, count int }

func (w *walker) addMember(a *archive, m *member) {
	a.members = append(a.members, m)
	if a.byOrd != nil {
		a.byOrd[m.index] = len(a.members) - 1
	}
	w.add(Entry{Name: m.name, Size: m.size, Archive: a.name, arc: a, m: m})
}

func (w *walker) memberSkip(m *member, kind Kind, reason string) {
	w.skip(Skipped{Name: m.name, Kind: kind, Reason: reason, Size: m.size})
}

func (w *walker) listZip(a *archive) (int, error) {
	a.recordsLeft = max(w.budget.maxEntries-w.budget.entries, 1)
	st, err := a.pool.acquire(a)
	a.recordsLeft = 0
	if err != nil {
		return 0, err
	}
	defer a.pool.release(st)
	before := len(a.members)
	spent := false // the bytes all archives may hold together are spent
	for i, zf := range st.zr.File {
		// Every member counts, folders and refused names too: each costs
		// a little, and a record when refused.
		if !w.budget.entry() {
			w.tooManyMembers(a)
			break
		}
		if isDirMember(zf.Name, zf.Mode().IsDir()) {
			continue // a folder holds nothing to read; its files are members of their own
		}
		name, ok := w.memberName(a, zf.Name)
		if !ok {
			continue
		}
		m := &member{raw: zf.Name, name: name, index: i, size: int64(zf.UncompressedSize64), csize: int64(zf.CompressedSize64), method: zf.Method}
		if spent {
			// The directory names every member: each one not read is
			// listed, not summed into the archive's entry.
			switch mode := zf.Mode(); {
			case !mode.IsRegular():
				kind, reason := memberModeKind(mode) // as before the budget was spent
				w.memberSkip(m, kind, reason)
			case w.claim(m.name):
				w.memberSkip(m, KindTooLarge, "member is "+sizeText(m.size)+"; not read: the "+sizeText(w.budget.maxTotal)+" all archives may hold together were spent before it")
			}
			continue
		}
		spent = w.zipMember(a, zf, m)
	}
	return len(a.members) - before, nil
}

// zipMember lists one zip member; true when the members after it must
// not be read (the bytes all archives may hold together are spent).
func (w *walker) zipMember(a *archive, zf *zip.File, m *member) bool {
	if mode := zf.Mode(); !mode.IsRegular() {
		kind, reason := memberModeKind(mode)
		w.memberSkip(m, kind, reason)
		return false
	}
	if !w.claim(m.name) {
		return false
	}
	if kind, reason := zipProblem(a, zf, m); kind != "" {
		w.memberSkip(m, kind, reason)
		return false
	}
	if !w.budget.take(m.size) {
		w.memberSkip(m, KindTooLarge, "member is "+sizeText(m.size)+"; "+w.budget.overErr().Error()+": not read, nor the members after it")
		return true
	}
	head, err := a.memberHead(m)
	if err != nil {
		w.budget.refund(m.size)
		w.memberSkip(m, kindOf(err), "member could not be read: "+errText(err))
		return false
	}
	if zf.Method == zip.Store && sniff(head) != formatNone {
		off, err := zf.DataOffset()
		if err != nil {
			w.memberSkip(m, KindCorrupt, "member could not be read: "+errText(err))
			return false
		}
		m.off = off
	}
	w.place(a, m, head, nil)
	return false
}

// zipAES is the method WinZip's AES encryption writes in place of the real one.
const zipAES = 99

// zipProblem says why a zip member is not read, from its header: ""
// when it may be.
func zipProblem(a *archive, zf *zip.File, m *member) (Kind, string) {
	switch {
	case zf.Flags&0x1 != 0, zf.Method == zipAES:
		return KindEncrypted, "encrypted member; ipseclint does not decrypt archives, so it was not read"
	case m.size < 0 || m.csize < 0 || (zf.Method == zip.Store && m.size != m.csize):
		return KindCorrupt, fmt.Sprintf("member declares impossible sizes (%d bytes from %d); not read", zf.UncompressedSize64, zf.CompressedSize64)
	case zf.Method != zip.Store && zf.Method != zip.Deflate:
		return KindUnsupported, fmt.Sprintf("member compressed with method %d, which is not read (only stored and deflated members are)", zf.Method)
	case m.size > a.maxFile:
		return KindPastMaxSize, "member is " + sizeText(m.size) + ", past the limit of " + sizeText(a.maxFile) + "; not read"
	case m.csize > a.size:
		return KindCorrupt, "member claims " + sizeText(m.csize) + " of compressed data, more than the whole archive's " + sizeText(a.size) + "; not read"
	case m.size > RatioGrace && m.size > a.ratio*max(m.csize, 1):
		return KindRatio, fmt.Sprintf("member would expand to %s from %s, past the limit of %d:1 (a zip bomb's shape); not read", sizeText(m.size), sizeText(m.csize), a.ratio)
	}
	return "", ""
}

// memberModeKind says why a member that is not a regular file is skipped.
func memberModeKind(mode fs.FileMode) (Kind, string) {
	if mode&fs.ModeSymlink != 0 {
		return KindSymlink, "link inside the archive, not followed"
	}
	kind, reason := specialKind(mode, false)
	return kind, "member is " + strings.TrimSuffix(reason, ", not opened") + ", not read"
}

// memberHead reads a member's first bytes, to tell an archive inside it.
func (a *archive) memberHead(m *member) ([]byte, error) {
	rc, err := a.openMember(m)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readHeadOf(rc, sniffSize)
}

// readHeadOf reads up to n bytes, stopping early only at a clean end:
// any error of r, io.ErrUnexpectedEOF included (a member cut short), is
// returned. The buffer grows with what is read, whatever n says.
func readHeadOf(r io.Reader, n int) ([]byte, error) {
	buf := make([]byte, 0, min(n, 64<<10))
	for empty := 0; len(buf) < n && empty < 100; {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		k, err := r.Read(buf[len(buf):min(cap(buf), n)])
		buf = buf[:len(buf)+k]
		if err == io.EOF { //nolint:errorlint // io.Reader returns io.EOF itself
			break
		}
		if err != nil {
			return nil, err
		}
		if k == 0 {
			empty++
		}
	}
	return buf, nil
}

// place lists a member whose head was read: as an entry, or, when it is
// an archive, as that archive's members (one level deep only). data is
// the whole member when a streamed tar had to read it.
func (w *walker) place(a *archive, m *member, head, data []byte) {
	f := sniff(head)
	if f == formatNone {
		w.addMember(a, m)
		return
	}
	if !a.streamed() {
		// Neither an entry nor its own bytes: an archive's members (or its
		// decompressed stream) are charged instead, and a skip costs nothing.
		w.budget.refund(m.size)
	}
	if a.depth >= 1 {
		w.memberSkip(m, KindTooDeep, "a "+f.String()+" archive inside an archive inside an archive; only one level of nesting is read")
		return
	}
	how := childHow(a, m, f)
	if how == viaLoad && m.size > maxNestedLoad {
		w.memberSkip(m, KindTooLarge, nestedTooLarge(f, m.size))
		return
	}
	child := w.newArchive(m.name, f, m.size)
	child.depth, child.parent, child.pm, child.preload = 1, a, m, data
	child.how = how
	w.listArchive(child, "")
	child.preload = nil
}

// maxNestedLoad is the largest nested archive read into memory: one that
// can only be read at random places (a zip) but is itself compressed, or
// one inside a compressed tar, which is only reachable while its parent
// is listed.
var maxNestedLoad int64 = maxLoadedBytes

func nestedTooLarge(f format, size int64) string {
	return "a " + f.String() + " archive of " + sizeText(size) + " that would have to be held in memory to be read, past the limit of " +
		sizeText(maxNestedLoad) + " for such nested archives; not read (extract it and audit the folder)"
}

// childHow says how a nested archive's bytes are reached.
func childHow(parent *archive, m *member, f format) how {
	switch {
	case parent.streamed():
		return viaLoad
	case parent.format == formatTar, m.method == zip.Store:
		return viaSection
	case f == formatZip:
		return viaLoad
	}
	return viaStream
}

// tarList lists a tar's members.
type tarList struct {
	w       *walker
	a       *archive
	tr      *tar.Reader
	pos     func() int64 // where the current member's data starts; nil when streamed
	ord     int          // headers read
	pending int          // the entry whose data is not wholly read yet; -1 if none
	n       int          // entries listed
}

func (w *walker) listTarSeek(a *archive) (int, error) {
	st, err := a.pool.acquire(a)
	if err != nil {
		return 0, err
	}
	defer a.pool.release(st)
	sr := io.NewSectionReader(st.ra, 0, a.size)
	l := &tarList{w: w, a: a, tr: tar.NewReader(sr), pending: -1}
	l.pos = func() int64 {
		p, _ := sr.Seek(0, io.SeekCurrent)
		return p
	}
	return l.run()
}

func (w *walker) listTarStream(a *archive) (int, error) {
	g := &streamGuard{ratio: a.ratio, charge: w.budget.charge}
	tr, closer, err := a.tarStream(g)
	if err != nil {
		return 0, err
	}
	defer closer.Close()
	a.byOrd = map[int]int{}
	l := &tarList{w: w, a: a, tr: tr, pending: -1}
	n, err := l.run()
	a.streamLen = g.out
	return n, err
}

func (l *tarList) run() (int, error) {
	for {
		if err := l.settle(); err != nil {
			l.broken(err)
			return l.n, nil
		}
		hdr, err := l.tr.Next()
		if err == io.EOF { //nolint:errorlint // tar returns io.EOF itself at the end
			return l.n, nil
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			if l.ord == 0 {
				return 0, err
			}
			l.broken(err)
			return l.n, nil
		}
		l.ord++
		l.pending = -1
		if l.member(hdr, l.ord-1) {
			return l.n, nil
		}
	}
}

// settle finds out whether the data of the member read last is all
// there before the next header is read, so that a damaged header after a
// whole member fails the archive, not the member: in a stream by reading
// the rest of it (Next would read it anyway), in a file on disk from the
// archive's size. An error says the member is cut short.
func (l *tarList) settle() error {
	if l.pending < 0 {
		return nil
	}
	m := l.w.set.Entries[l.pending].m
	if l.pos != nil {
		if m.off+m.size > l.a.size {
			return fmt.Errorf("%w: %d of its %d bytes are there", io.ErrUnexpectedEOF, max(0, l.a.size-m.off), m.size)
		}
	} else if _, err := io.Copy(io.Discard, l.tr); err != nil {
		return err
	}
	l.pending = -1
	return nil
}

// broken records a tar that fails part way: the entry being read when it
// failed is damaged too, and the rest is not read.
func (l *tarList) broken(err error) {
	w := l.w
	kind := kindOf(err)
	if l.pending >= 0 && l.pending == len(w.set.Entries)-1 {
		e := w.set.Entries[l.pending]
		w.set.Entries = w.set.Entries[:l.pending]
		l.a.members = l.a.members[:len(l.a.members)-1]
		delete(l.a.byOrd, e.m.index)
		l.n--
		w.skip(Skipped{Name: e.Name, Dir: e.Dir, Kind: kind, Size: e.Size, Reason: "member could not be read: " + errText(err)})
	}
	if kind == KindCorrupt {
		w.skipRest(l.a, kind, fmt.Sprintf("the archive is damaged or cut short after %d members (%s); the rest was not read", l.ord, errText(err)))
		return
	}
	w.skipRest(l.a, kind, fmt.Sprintf("reading stopped after %d members: %s; the rest of this archive was not read", l.ord, errText(err)))
}

// member lists one tar member; true when the rest must not be read.
func (l *tarList) member(hdr *tar.Header, ord int) bool {
	w, a := l.w, l.a
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return false // metadata for the members after it, not a member
	}
	if !w.budget.entry() {
		w.tooManyMembers(a)
		return true
	}
	if isDirMember(hdr.Name, hdr.Typeflag == tar.TypeDir) {
		return false // a folder holds nothing to read; its files are members of their own
	}
	name, ok := w.memberName(a, hdr.Name)
	if !ok {
		return false
	}
	m := &member{raw: hdr.Name, name: name, size: hdr.Size, index: ord}
	if kind, reason := tarType(hdr); kind != "" {
		sk := Skipped{Name: name, Kind: kind, Reason: reason}
		if kind == KindSymlink {
			sk.Target = hdr.Linkname
		}
		w.skip(sk)
		return false
	}
	if !w.claim(name) {
		return false
	}
	if m.size > a.maxFile {
		w.memberSkip(m, KindPastMaxSize, "member is "+sizeText(m.size)+", past the limit of "+sizeText(a.maxFile)+"; not read")
		return false
	}
	if l.pos != nil {
		m.off = l.pos()
		if !w.budget.take(m.size) {
			w.memberSkip(m, KindTooLarge, "member is "+sizeText(m.size)+"; "+w.budget.overErr().Error()+": not read, nor the rest of the archive")
			w.skipRest(a, KindTooLarge, w.budget.overErr().Error()+"; the rest of this archive was not read")
			return true
		}
	}
	return l.read(m)
}

// read reads a member's head and lists it.
func (l *tarList) read(m *member) bool {
	w, a := l.w, l.a
	head, err := readHeadOf(l.tr, sniffSize)
	if err == nil && int64(len(head)) < min(m.size, sniffSize) {
		err = fmt.Errorf("cut short: %d of its %d bytes are there", len(head), m.size)
	}
	if err != nil {
		l.unread(m, err)
		return false
	}
	var data []byte
	if f := sniff(head); f != formatNone && l.pos == nil && a.depth == 0 {
		// Inside a stream, a nested archive is only reachable now.
		if m.size > maxNestedLoad {
			w.memberSkip(m, KindTooLarge, nestedTooLarge(f, m.size))
			return false
		}
		var err error
		data, err = readAtMost(io.MultiReader(bytes.NewReader(head), l.tr), m.size)
		if err != nil {
			l.unread(m, err)
			return false
		}
	}
	before := len(w.set.Entries)
	w.place(a, m, head, data)
	if len(w.set.Entries) == before+1 && w.set.Entries[before].m == m {
		l.n++
		if int64(len(head)) < m.size {
			l.pending = before
		}
	}
	return false
}

// unread records a member whose bytes could not be read.
func (l *tarList) unread(m *member, err error) {
	if l.pos != nil {
		l.w.budget.refund(m.size)
	}
	l.w.memberSkip(m, kindOf(err), "member could not be read: "+errText(err))
}

// tarType says why a tar member that is not a plain file is skipped: ""
// for a plain file.
func tarType(hdr *tar.Header) (Kind, string) {
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return KindUnsupported, "sparse member, not read"
		}
	}
	switch hdr.Typeflag {
	case tar.TypeReg, '\x00', tar.TypeCont:
		return "", ""
	case tar.TypeSymlink:
		return KindSymlink, "link inside the archive, not followed"
	case tar.TypeLink:
		return KindSymlink, "hard link inside the archive, not followed"
	case tar.TypeChar, tar.TypeBlock:
		return KindDevice, "member is a device, not read"
	case tar.TypeFifo:
		return KindFIFO, "member is a named pipe (FIFO), not read"
	case tar.TypeGNUSparse:
		return KindUnsupported, "sparse member, not read"
	}
	return KindUnsupported, fmt.Sprintf("member of tar type %q, not read", hdr.Typeflag)
}
