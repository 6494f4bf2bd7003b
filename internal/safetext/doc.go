// Package safetext shows strings that come from inputs (file names, host
// names, policy names, registry values, messages quoting them) safely in
// every output format.
//
//   - Terminals and plain text: [Text] escapes every control, format and
//     bidirectional character, and every invalid UTF-8 byte, so input can
//     neither drive the terminal (ESC/OSC sequences) nor forge rows (a
//     newline in a file name).
//   - JSON and SARIF: [Name] escapes invalid UTF-8 reversibly (encoding/json
//     would replace it by U+FFFD and lose the bytes); [URIPath]
//     percent-encodes a path for SARIF artifactLocation.uri.
//   - Markdown (SARIF message.text as GitHub renders it, and markdown
//     fields): [Code] quotes an input as an inline code span; [MarkdownText]
//     escapes it for embedding as plain text.
//   - Tables: [Cell] caps a cell and [Wrap] pre-wraps it so that the table
//     library never sees a token wider than its column (see [Wrap] for the
//     upstream fault this avoids).
//   - Terminals: [Width] and [ColorEnabled] decide the layout and colour.
//
// # Backslashes
//
// [Text] leaves a backslash as it is. Registry paths are full of them
// (HKLM\SYSTEM\CurrentControlSet\...), and doubling every one would make
// tables hard to read. The price is ambiguity: an input that really
// contains the four characters \x1b looks the same as an escaped ESC.
// That is acceptable for display because the output never contains a
// control character either way; where the exact bytes matter, use
// [Name] (JSON, SARIF), which escapes the backslash as \\ and is
// reversible, or the dump command, which shows values in full.
//
// # GitHub mentions and references
//
// GitHub links @name (a user or team mention that notifies), #123 (an issue
// or pull request) and bare URLs after the Markdown has been rendered, on
// the text of the resulting HTML. A backslash (\@name, \#123) or an HTML
// entity (&#64;) therefore does not stop them: the escape is gone by the
// time the links are made (github/markup#1168, github/cmark-gfm#181). Text
// inside a code span is never linked. [MarkdownText] therefore puts every
// word that contains '@' or '#', or that looks like a URL ("://", "www."),
// into a code span, and backslash-escapes the Markdown and HTML
// metacharacters everywhere else. [Code] is the safe choice for any
// input string shown in Markdown.
package safetext
