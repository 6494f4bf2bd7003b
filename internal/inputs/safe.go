package inputs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Errors the safe openers wrap, for errors.Is.
var (
	// ErrNotRegular: the path is not a regular file (a pipe, a socket, a
	// device, a folder); it was not opened, or was closed at once.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge: the file is larger than the limit it is read with.
	ErrTooLarge = errors.New("larger than the limit")
)

// openRegular opens path for reading only if it is a regular file: the
// mode is checked before opening (a pipe or a device is never opened) and
// again on the open file (in case it was swapped in between), and the open
// itself cannot block. With follow false, a link as the last component is
// refused.
func openRegular(path string, follow bool) (*os.File, fs.FileInfo, error) {
	stat := os.Lstat
	if follow {
		stat = os.Stat
	}
	fi, err := stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w: %s", ErrNotRegular, modeText(fi.Mode()))}
	}
	return openStated(path, follow)
}

// openStated is openRegular of a path whose mode was just checked (the
// walk's Lstat of each folder entry): it opens it without checking the
// mode first, but as openRegular does (non-blocking, not through a link
// unless follow), and checks the open file, so that a file swapped for
// a pipe or a device since is refused without blocking.
func openStated(path string, follow bool) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(path, openFlags(follow), 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w: %s (it changed after it was checked)", ErrNotRegular, modeText(fi.Mode()))}
	}
	return f, fi, nil
}

// ReadFileLimited reads the regular file at path (following links), never
// blocking on a pipe or a device and never reading more than limit bytes:
// a larger file fails with an error wrapping ErrTooLarge that names both
// sizes, and a path that is not a regular file fails with one wrapping
// ErrNotRegular.
func ReadFileLimited(path string, limit int64) ([]byte, error) {
	f, fi, err := openRegular(path, true)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.Size() > limit {
		return nil, tooLargeErr(path, fi.Size(), limit)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooLargeErr(path, int64(len(data)), limit)
	}
	return data, nil
}

func tooLargeErr(path string, size, limit int64) error {
	return &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w of %s: the file holds %s or more", ErrTooLarge, sizeText(limit), sizeText(size))}
}

// Found is what FindUpward found.
type Found struct {
	// Path is the file found, "" when none.
	Path string
	// Skipped lists the candidates met on the way that are not regular
	// files (a named pipe, a link to /dev/zero, a folder), nearest first:
	// the search went on past them, and the caller should say so.
	Skipped []Skipped
}

// FindUpward looks for the first of names in dir, then in each parent
// folder up to the file system root, the way golangci-lint finds its
// configuration. Only a regular file (or a link to one) is a match; any
// other file of one of those names is never opened, is recorded in
// Found.Skipped, and the search goes on. ok reports whether a file was found.
func FindUpward(dir string, names ...string) (found Found, ok bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = filepath.Clean(dir)
	}
	for {
		for _, name := range names {
			p := filepath.Join(abs, name)
			fi, err := os.Lstat(p)
			if err != nil {
				continue
			}
			sk := candidate(p, fi)
			if sk == nil {
				found.Path = p
				return found, true
			}
			found.Skipped = append(found.Skipped, *sk)
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return found, false
		}
		abs = parent
	}
}

// candidate checks a configuration file candidate: nil if it is a regular
// file or a link to one, else why it is not used.
func candidate(p string, fi fs.FileInfo) *Skipped {
	sk := &Skipped{Name: filepath.ToSlash(p), Dir: filepath.ToSlash(filepath.Dir(p)), Path: p}
	mode := fi.Mode()
	if mode&fs.ModeSymlink != 0 {
		sk.Target, _ = os.Readlink(p)
		target, err := os.Stat(p)
		if err != nil {
			sk.Kind, sk.Reason = statErrKind(err, true)
			return sk
		}
		if target.Mode().IsRegular() {
			return nil
		}
		sk.Kind, sk.Reason = specialKind(target.Mode(), true)
		return sk
	}
	if mode.IsRegular() {
		return nil
	}
	sk.Kind, sk.Reason = specialKind(mode, false)
	return sk
}

// specialKind says why a file that is not regular is skipped.
func specialKind(mode fs.FileMode, viaLink bool) (Kind, string) {
	prefix := ""
	if viaLink {
		prefix = "link to "
	}
	kind := KindIrregular
	switch {
	case mode&fs.ModeNamedPipe != 0:
		kind = KindFIFO
	case mode&fs.ModeSocket != 0:
		kind = KindSocket
	case mode&fs.ModeDevice != 0:
		kind = KindDevice
	case mode.IsDir() && viaLink:
		return KindSymlink, "link to a folder, not followed"
	case mode.IsDir():
		return KindIrregular, "a folder where a file was expected"
	}
	return kind, prefix + modeText(mode) + ", not opened"
}

// modeText names a file mode the way the reasons do.
func modeText(mode fs.FileMode) string {
	switch {
	case mode.IsRegular():
		return "a regular file"
	case mode.IsDir():
		return "a folder"
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeCharDevice != 0:
		return "a character device"
	case mode&fs.ModeDevice != 0:
		return "a block device"
	case mode&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return fmt.Sprintf("not a regular file (mode %v)", mode)
}

// statErrKind says why a path that could not be examined is skipped.
func statErrKind(err error, viaLink bool) (Kind, string) {
	switch {
	case isLoopErr(err):
		return KindLoop, "links form a loop, not followed"
	case errors.Is(err, fs.ErrNotExist) && viaLink:
		return KindMissing, "link to a file that does not exist"
	case errors.Is(err, fs.ErrNotExist):
		return KindMissing, "no such file or folder"
	}
	return KindUnreadable, "could not be examined: " + errText(err)
}

func fallbackKey(path string) dirKey {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	return dirKey{path: path}
}

// errText is an error's message without the path a PathError repeats.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// sizeText names a size for people and exactly: "8 GiB (8589934592 bytes)".
func sizeText(n int64) string {
	units := []string{"KiB", "MiB", "GiB", "TiB"}
	if n < 1024 {
		return plural(int(n), "byte")
	}
	v, u := float64(n)/1024, 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %s (%d bytes)", int64(v), units[u], n)
	}
	return fmt.Sprintf("%.1f %s (%d bytes)", v, units[u], n)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
