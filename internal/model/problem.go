package model

import (
	"fmt"
	"strconv"
)

// Problem is something wrong with an input file itself (not with the
// configuration it describes): a syntax error, damage, an encoding doubt.
type Problem struct {
	Loc     Location `json:"location"`
	Message string   `json:"message"`
}

// ParseError is a mistake at a place in an input file: a syntax error in
// a .reg export or a netsh script, a bad key in ipseclint.yaml. Like
// encoding/csv's ParseError it names the file, the 1-based line and column
// (0 when unknown) and wraps the cause. Parsers report one per mistake and
// go on reading.
type ParseError struct {
	File   string // the file's display name (relative to the audited root)
	Line   int    // 1-based; 0 when the mistake is in the file as a whole
	Column int    // 1-based; 0 when unknown
	Err    error  // what is wrong
}

// ParseErrorf returns a ParseError whose cause is the formatted message.
func ParseErrorf(file string, line, column int, format string, args ...any) *ParseError {
	return &ParseError{File: file, Line: line, Column: column, Err: fmt.Errorf(format, args...)}
}

// Error renders the error as a compiler would: "file:line:col: cause",
// "file:line: cause" or "file: cause".
func (e *ParseError) Error() string {
	return e.position() + ": " + e.cause()
}

func (e *ParseError) position() string {
	s := e.File
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
		if e.Column > 0 {
			s += ":" + strconv.Itoa(e.Column)
		}
	}
	return s
}

func (e *ParseError) cause() string {
	if e.Err == nil {
		return "parse error"
	}
	return e.Err.Error()
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

// Problem returns the error as a Problem of the file, for the report.
func (e *ParseError) Problem() Problem {
	return Problem{Loc: Location{File: e.File, Line: int32(e.Line), Column: int32(e.Column)}, Message: e.cause()}
}
