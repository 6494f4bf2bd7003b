package fleetconfig

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/ipseclint/ipseclint/internal/model"
	"github.com/ipseclint/ipseclint/internal/testutil"
	"github.com/ipseclint/ipseclint/rules"
)

// schemaPath is the published JSON Schema, from the repository's root.
const schemaPath = "docs/ipseclint.schema.json"

func repoRoot(t *testing.T) string { return testutil.RepoRoot(t) }

func loadSchemaDoc(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), schemaPath))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", schemaPath, err)
	}
	return doc.(map[string]any)
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc := loadSchemaDoc(t)
	id, _ := doc["$id"].(string)
	if doc["$schema"] != "https://json-schema.org/draft/2020-12/schema" || id == "" {
		t.Fatalf("%s: not a draft 2020-12 schema with an $id", schemaPath)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // ipv4 and date are checked, not only noted
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatalf("%s does not compile: %v", schemaPath, err)
	}
	return sch
}

// yamlToJSON converts the first document of a YAML file to the JSON value
// an editor validates: aliases and merge keys resolved, scalars typed as
// YAML 1.2 types them, dates kept as written.
func yamlToJSON(data []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			return nil, nil
		}
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	out, err := json.Marshal(nodeValue(doc.Content[0], 0))
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(out))
}

func nodeValue(n *yaml.Node, depth int) any {
	n = resolve(n)
	if depth > 50 {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		var merges []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := resolve(n.Content[i])
			if k.Tag == "!!merge" {
				merges = append(merges, n.Content[i+1])
				continue
			}
			if _, dup := m[k.Value]; !dup {
				m[k.Value] = nodeValue(n.Content[i+1], depth+1)
			}
		}
		for _, mv := range merges {
			srcs := []*yaml.Node{mv}
			if r := resolve(mv); r.Kind == yaml.SequenceNode {
				srcs = r.Content
			}
			for _, src := range srcs {
				if sm, ok := nodeValue(src, depth+1).(map[string]any); ok {
					for k, v := range sm {
						if _, have := m[k]; !have {
							m[k] = v
						}
					}
				}
			}
		}
		return m
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			l = append(l, nodeValue(c, depth+1))
		}
		return l
	}
	return scalarValue(n)
}

func scalarValue(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		return strings.EqualFold(n.Value, "true")
	case "!!int":
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			return i
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
	}
	return n.Value
}

// example is one configuration the repository shows as valid.
type example struct {
	name string
	data []byte
}

// examples returns every example configuration of the repository: each
// ipseclint.yaml (or .ipseclint.yaml, .yml) in it, this package's
// testdata/valid, and the ```yaml blocks of docs/configuration.md.
func examples(t *testing.T) []example {
	t.Helper()
	root := repoRoot(t)
	var out []example
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		base := strings.TrimPrefix(d.Name(), ".")
		inValid := filepath.Base(filepath.Dir(path)) == "valid" && strings.Contains(path, filepath.Join("parsers", "fleetconfig", "testdata"))
		if d.Type().IsRegular() && (base == "ipseclint.yaml" || base == "ipseclint.yml" || inValid && strings.HasSuffix(base, ".yaml")) {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			out = append(out, example{filepath.ToSlash(rel), data})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return append(out, docExamples(t, filepath.Join(root, "docs", "configuration.md"))...)
}

var fence = regexp.MustCompile("(?m)^```yaml[ \t]*\n")

// docExamples returns the ```yaml blocks of a Markdown file, each named by
// the line its text starts on.
func docExamples(t *testing.T, path string) []example {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []example
	for _, m := range fence.FindAllIndex(data, -1) {
		rest := data[m[1]:]
		end := bytes.Index(rest, []byte("\n```"))
		if end < 0 {
			t.Fatalf("%s: a ```yaml block is not closed", path)
		}
		line := bytes.Count(data[:m[1]], []byte("\n")) + 1
		out = append(out, example{"docs/configuration.md:" + strconv.Itoa(line), rest[:end+1]})
	}
	return out
}

func ruleNames() []model.RuleName {
	var out []model.RuleName
	for _, r := range rules.All() {
		out = append(out, model.RuleName{ID: r.ID, Name: r.Name})
	}
	return out
}

// TestValidExamples: every example configuration of the repository
// parses without a mistake, names only existing rules, and validates
// against the JSON Schema.
func TestValidExamples(t *testing.T) {
	sch := compileSchema(t)
	exs := examples(t)
	counts := map[string]int{}
	for _, ex := range exs {
		counts[strings.SplitN(ex.name, "/", 2)[0]]++
		t.Run(ex.name, func(t *testing.T) {
			cfg, err := Parse(ex.data, ex.name)
			if err != nil {
				t.Errorf("parse: %v", err)
			} else if probs := cfg.CheckRules(ruleNames()); len(probs) > 0 {
				t.Errorf("rule references: %+v", probs)
			}
			inst, err := yamlToJSON(ex.data)
			if err != nil {
				t.Fatalf("YAML: %v", err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Errorf("schema: %v", err)
			}
		})
	}
	// The walk found what the repository holds: the example fleet, the
	// rules' fixtures, this package's files and the documentation's.
	for _, top := range []string{"testdata", "rules", "parsers", "docs"} {
		if counts[top] == 0 {
			t.Errorf("no example configuration under %s/ (found %v)", top, counts)
		}
	}
	if counts["docs"] < 4 {
		t.Errorf("docs/configuration.md shows %d yaml examples, want at least 4", counts["docs"])
	}
}

// parserKeys returns the keys the parser knows in each part of the file,
// from the same field lists it reads with.
func parserKeys() map[string][]string {
	p := newParser("")
	cfg := &model.FleetConfig{}
	return map[string][]string{
		"":            keys(p.topFields(cfg)),
		"hosts.*":     keys(p.hostFields("", &model.HostConfig{})),
		"hosts.*.nlb": keys(p.nlbFields("", &model.NLBDeclaration{})),
		"backends":    keys(p.backendFields(cfg)),
		"rules":       keys(p.rulesFields(&cfg.Rules)),
		"output":      keys(p.outputFields(cfg)),
		"accepted[]":  keys(p.acceptedFields("", &model.AcceptedRisk{}, map[string]bool{})),
	}
}

// schemaKeys walks the schema: the properties of each object it
// describes, by path ("hosts.*" for any host, "accepted[]" for a list
// item), and the paths of objects that do not refuse other keys.
func schemaKeys(t *testing.T, doc map[string]any) (props map[string][]string, open []string) {
	props = map[string][]string{}
	var walk func(path string, s any, depth int)
	walk = func(path string, s any, depth int) {
		m, ok := s.(map[string]any)
		if !ok || depth > 30 {
			return
		}
		if ref, ok := m["$ref"].(string); ok {
			name := strings.TrimPrefix(ref, "#/$defs/")
			def, ok := doc["$defs"].(map[string]any)[name]
			if !ok {
				t.Errorf("%s: $ref %s names no definition", path, ref)
			}
			walk(path, def, depth+1)
		}
		if ps, ok := m["properties"].(map[string]any); ok {
			for k, v := range ps {
				if !slices.Contains(props[path], k) {
					props[path] = append(props[path], k)
				}
				walk(join(path, k), v, depth+1)
			}
			if describesObject(m) && m["additionalProperties"] != false {
				open = append(open, path)
			}
		}
		if ap, ok := m["additionalProperties"].(map[string]any); ok {
			walk(path+".*", ap, depth+1)
		}
		if items, ok := m["items"]; ok {
			walk(path+"[]", items, depth+1)
		}
		for _, kw := range []string{"anyOf", "oneOf", "allOf"} {
			branches, _ := m[kw].([]any)
			for _, b := range branches {
				walk(path, b, depth+1)
			}
		}
	}
	walk("", doc, 0)
	return props, open
}

// describesObject reports whether a schema object gives the type object
// (an anyOf branch adding constraints gives none).
func describesObject(m map[string]any) bool {
	switch t := m["type"].(type) {
	case string:
		return t == "object"
	case []any:
		return slices.Contains(t, any("object"))
	}
	return false
}

// TestSchemaKeys: the schema and the parser know the same keys in every
// part of the file, and the schema refuses others, as the parser does.
func TestSchemaKeys(t *testing.T) {
	doc := loadSchemaDoc(t)
	got, open := schemaKeys(t, doc)
	want := parserKeys()
	for path := range got {
		if _, ok := want[path]; !ok {
			t.Errorf("the schema describes keys under %q, which parserKeys does not know: add the part to parserKeys", path)
		}
	}
	for path, keys := range want {
		s, p := slices.Clone(got[path]), slices.Clone(keys)
		sort.Strings(s)
		sort.Strings(p)
		if !slices.Equal(s, p) {
			t.Errorf("keys under %q: schema %v, parser %v", path, s, p)
		}
	}
	if len(open) > 0 {
		t.Errorf("objects of the schema that accept unknown keys (additionalProperties is not false): %q", open)
	}
	pp, _ := doc["patternProperties"].(map[string]any)
	if len(pp) != 1 || pp[`^(x-|\.)`] != true {
		t.Errorf("the top level's ignored keys: %v", pp)
	}
}

// verdict parses text and validates it; true means accepted.
func verdict(t *testing.T, sch *jsonschema.Schema, text string) (parser, schema bool) {
	t.Helper()
	_, err := Parse([]byte(text), "ipseclint.yaml")
	inst, yerr := yamlToJSON([]byte(text))
	return err == nil, yerr == nil && sch.Validate(inst) == nil
}

// TestSchemaAgreesOnValues: for the values whose form the schema can
// check, the schema and the parser accept and refuse the same.
func TestSchemaAgreesOnValues(t *testing.T) {
	sch := compileSchema(t)
	var docs []string
	for spelling := range roles {
		for _, v := range []string{spelling, strings.ToUpper(spelling), "'" + strings.ToUpper(spelling[:1]) + spelling[1:] + "'"} {
			docs = append(docs, "hosts: {H: {role: "+v+"}}")
		}
	}
	vals := map[string][]string{
		"hosts: {H: {role: %s}}":                     {"front-end", "Back_End", "'front end'", "frontdoor", "'fe x'", "''", "1", "true", "[fe]"},
		"fail-on: %s":                                {"error", "WARNING", "Note", "none", "'  note '", "fatal", "''", "1", "true"},
		"rules: {severity: {IPSEC004: %s}}":          {"error", "Warning", "NOTE", "none", "fatal", "1"},
		"output: {formats: [%s]}":                    {"table", "sarif=a.sarif", "'JSON = out.json'", "junit=out dir/x.xml", "'sarif='", "x y", "1abc", "'=x'", "[x]"},
		"hosts: {H: {addresses: [%s]}}":              {"10.0.0.1", "255.255.255.255", "10.0.0.256", "010.0.0.1", "0.0.0.0", "10.0.0.1/24", "'fe80::1'", "1", "''"},
		"backends: {virtual_addresses: %s}":          {"[10.0.0.50]", "[]", "~", "10.0.0.50", "{a: 1}"},
		"hosts: {H: {nlb: %s}}":                      {"{dedicated_address: 10.0.0.11}", "{cluster_addresses: [10.0.0.100]}", "{}", "{cluster_addresses: []}", "~", "true"},
		"hosts: {H: {cluster_node: %s}}":             {"true", "false", "True", "yes", "1", "'true'"},
		"fail-on-not-evaluated: %s":                  {"true", "FALSE", "no", "0"},
		"accepted: [{rule: IPSEC001, host: H, %s}]":  {"reason: r", "reason: r, ticket: 1234", "reason: r, expires: 2027-06-30", "reason: r, expires: 2027-6-30", "reason: r, expires: 2027-02-30", "reason: r, expires: 30.06.2027", "reason: ''", "reason: ' '", "reason: true", "ticket: x"},
		"accepted: [{rule: %s, host: H, reason: r}]": {"IPSEC001", "weak-crypto", "[IPSEC001]", "''"},
		"accepted: %s":                               {"[]", "~", "{rule: IPSEC001}", "[5]", "[~]"},
		"hosts: %s":                                  {"{}", "~", "{H: ~}", "{H: {}}", "[H]", "{'': {role: fe}}"},
		"%s: {a: 1}":                                 {"x-templates", ".anchors", "x_templates", "templates"},
		"codepage: %s":                               {"cp1252", "850", "'utf-8'", "[cp850]", "true"},
	}
	for format, vs := range vals {
		for _, v := range vs {
			docs = append(docs, strings.Replace(format, "%s", v, 1))
		}
	}
	for _, d := range docs {
		p, s := verdict(t, sch, d+"\n")
		if p != s {
			t.Errorf("%q: parser accepts: %v, schema accepts: %v", d, p, s)
		}
	}
}

// TestSchemaOnMistakes: the schema refuses the mistakes that are a
// matter of form, and the table says which it cannot see (a code page's
// name, a host given twice in different case, two outputs to one place).
func TestSchemaOnMistakes(t *testing.T) {
	sch := compileSchema(t)
	for _, c := range mistakes {
		inst, err := yamlToJSON([]byte(c.text))
		rejects := err != nil || sch.Validate(inst) != nil
		if rejects != c.schema {
			t.Errorf("%s: the schema rejects it: %v, the table says %v", c.name, rejects, c.schema)
		}
	}
}

// TestExtensionKeys: what the parser passes over at the top level is what
// the schema's patternProperties allows.
func TestExtensionKeys(t *testing.T) {
	re := regexp.MustCompile(`^(x-|\.)`)
	for _, k := range []string{"x-templates", ".anchors", "x-", ".", "x_templates", "templates", "X-templates", "hosts"} {
		if isExtension(k) != re.MatchString(k) {
			t.Errorf("%q: parser %v, schema %v", k, isExtension(k), re.MatchString(k))
		}
	}
}

// TestDocMistakes: the mistakes example of docs/configuration.md (the
// "```yaml mistakes" block) gives exactly the messages the "```text"
// block after it shows.
func TestDocMistakes(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	block := func(from int, open string) (string, int) {
		i := bytes.Index(data[from:], []byte("\n"+open+"\n"))
		if i < 0 {
			t.Fatalf("docs/configuration.md: no %s block", open)
		}
		start := from + i + len(open) + 2
		end := bytes.Index(data[start:], []byte("\n```"))
		if end < 0 {
			t.Fatalf("docs/configuration.md: the %s block is not closed", open)
		}
		return string(data[start : start+end+1]), start + end
	}
	bad, next := block(0, "```yaml mistakes")
	want, _ := block(next, "```text")
	_, perr := Parse([]byte(bad), "ipseclint.yaml")
	if perr == nil || perr.Error()+"\n" != want {
		t.Errorf("the documented messages differ from the parser's:\n%v\nwant\n%s", perr, want)
	}
}
