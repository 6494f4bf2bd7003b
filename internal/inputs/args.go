package inputs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// expandArgs replaces "-" by the paths listed on stdin and makes every
// path absolute and clean. listed tells the paths read from stdin.
func expandArgs(args []string, stdin io.Reader) (paths []string, listed map[string]bool, err error) {
	if len(args) == 0 {
		return nil, nil, fmt.Errorf("%w: no paths given", ErrUsage)
	}
	var fromStdin []string
	dash := false
	for _, a := range args {
		if a != "-" {
			paths = append(paths, a)
			continue
		}
		if dash {
			return nil, nil, fmt.Errorf(`%w: "-" (read paths from standard input) given more than once`, ErrUsage)
		}
		dash = true
		if stdin == nil {
			return nil, nil, fmt.Errorf(`%w: "-" asks for paths on standard input, but there is none`, ErrUsage)
		}
		if fromStdin, err = readPathList(stdin); err != nil {
			return nil, nil, err
		}
	}
	for i, p := range paths {
		paths[i] = absPath(p)
	}
	listed = map[string]bool{}
	for _, p := range fromStdin {
		abs := absPath(p)
		listed[abs] = true
		paths = append(paths, abs)
	}
	return paths, listed, nil
}

func absPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	return abs
}

// readPathList reads one path per line: blank lines are ignored, a CR
// before the line feed is dropped, and a line past MaxLineLength or
// holding a NUL byte is a usage mistake (that is not a list of paths).
func readPathList(r io.Reader) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxLineLength)
	var paths []string
	line := 0
	for sc.Scan() {
		line++
		p := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(p) == "" {
			continue
		}
		if strings.IndexByte(p, 0) >= 0 {
			return nil, fmt.Errorf("%w: standard input, line %d: holds a NUL byte; expected one path per line", ErrUsage, line)
		}
		paths = append(paths, p)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%w: standard input, line %d: longer than %d bytes; expected one path per line", ErrUsage, line+1, MaxLineLength)
		}
		return nil, fmt.Errorf("reading paths from standard input: %w", err)
	}
	return paths, nil
}

// commonRoot returns the folder every path lies in: the folder itself for
// a single folder, the file's folder for a single file. paths are absolute.
func commonRoot(paths []string) string {
	root := ""
	for _, abs := range paths {
		if st, err := os.Stat(abs); err != nil || !st.IsDir() {
			abs = filepath.Dir(abs)
		}
		if root == "" {
			root = abs
			continue
		}
		for !within(abs, root) {
			parent := filepath.Dir(root)
			if parent == root {
				break
			}
			root = parent
		}
	}
	if root == "" {
		root, _ = os.Getwd()
	}
	return root
}

// within reports whether path is dir or lies below it (both clean).
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
