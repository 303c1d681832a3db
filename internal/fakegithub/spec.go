package fakegithub

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The description and its examples are embedded so the fake works from any
// package's tests (origin and licence: testdata/ORIGINS.md).
//
//go:embed testdata/github-rest-subset.openapi.json testdata/rest-examples/*.json
var files embed.FS

// spec is the loaded REST description: its operations and a validator for
// the JSON-Schema subset the description uses (type, nullable, enum,
// properties, required, additionalProperties, items, min/maxItems,
// min/maxLength, minimum/maximum, oneOf, anyOf, allOf, format date-time).
//
// kin-openapi's own dependencies are not in this module's go.sum, so the
// validation is done here, over the same document.
type spec struct {
	root map[string]any
	ops  []*operation
}

type operation struct {
	id       string
	method   string
	template string
	segs     []string
	params   []param
	body     *bodySpec
	// responses is the raw "responses" object (status → response).
	responses map[string]any
}

type param struct {
	name     string
	in       string
	required bool
	multi    bool // x-multi-segment: a path parameter that may contain "/"
	schema   any
}

type bodySpec struct {
	required bool
	schema   any
}

func loadSpec() (*spec, error) {
	raw, err := files.ReadFile("testdata/github-rest-subset.openapi.json")
	if err != nil {
		return nil, fmt.Errorf("read the REST description: %w", err)
	}
	var root map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("parse the REST description: %w", err)
	}
	s := &spec{root: root}
	paths, _ := root["paths"].(map[string]any)
	for tmpl, item := range paths {
		pi, _ := item.(map[string]any)
		var shared []any
		if p, ok := pi["parameters"].([]any); ok {
			shared = p
		}
		for method, o := range pi {
			om, ok := o.(map[string]any)
			if !ok || method == "parameters" {
				continue
			}
			op := &operation{
				method:   strings.ToUpper(method),
				template: tmpl,
				segs:     strings.Split(strings.TrimPrefix(tmpl, "/"), "/"),
			}
			op.id, _ = om["operationId"].(string)
			op.responses, _ = om["responses"].(map[string]any)
			plist, _ := om["parameters"].([]any)
			for _, p := range append(append([]any{}, shared...), plist...) {
				pm, ok := s.deref(p).(map[string]any)
				if !ok {
					return nil, fmt.Errorf("operation %s: parameter is not an object", op.id)
				}
				prm := param{schema: pm["schema"]}
				prm.name, _ = pm["name"].(string)
				prm.in, _ = pm["in"].(string)
				prm.required, _ = pm["required"].(bool)
				prm.multi, _ = pm["x-multi-segment"].(bool)
				op.params = append(op.params, prm)
			}
			if rb, ok := s.deref(om["requestBody"]).(map[string]any); ok {
				b := &bodySpec{}
				b.required, _ = rb["required"].(bool)
				if c, ok := rb["content"].(map[string]any); ok {
					if aj, ok := c["application/json"].(map[string]any); ok {
						b.schema = aj["schema"]
					}
				}
				op.body = b
			}
			s.ops = append(s.ops, op)
		}
	}
	sort.Slice(s.ops, func(i, j int) bool { return s.ops[i].template+s.ops[i].method < s.ops[j].template+s.ops[j].method })
	return s, nil
}

// deref follows a local "$ref" (repeatedly); anything else is returned as is.
func (s *spec) deref(v any) any {
	for range 32 {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v
		}
		v = s.pointer(ref)
	}
	return nil
}

func (s *spec) pointer(ref string) any {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	var cur any = s.root
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[tok]
	}
	return cur
}

// match finds the operation for a method and an unescaped list of path
// segments, preferring the template with the most literal segments, and
// returns the path parameters.
func (s *spec) match(method string, segs []string) (*operation, map[string]string) {
	var best *operation
	var bestParams map[string]string
	bestScore := -1
	for _, op := range s.ops {
		if op.method != method {
			continue
		}
		params, score, ok := op.matchPath(segs)
		if ok && score > bestScore {
			best, bestParams, bestScore = op, params, score
		}
	}
	return best, bestParams
}

func (op *operation) matchPath(segs []string) (map[string]string, int, bool) {
	params := map[string]string{}
	score := 0
	for i, t := range op.segs {
		if i >= len(segs) {
			return nil, 0, false
		}
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			name := t[1 : len(t)-1]
			if i == len(op.segs)-1 && op.isMulti(name) {
				v := strings.Join(segs[i:], "/")
				if v == "" {
					return nil, 0, false
				}
				params[name] = v
				return params, score, true
			}
			if segs[i] == "" {
				return nil, 0, false
			}
			params[name] = segs[i]
			continue
		}
		if t != segs[i] {
			return nil, 0, false
		}
		score++
	}
	if len(segs) != len(op.segs) {
		return nil, 0, false
	}
	return params, score, true
}

func (op *operation) isMulti(name string) bool {
	for _, p := range op.params {
		if p.in == "path" && p.name == name {
			return p.multi
		}
	}
	return false
}

// validateParams checks path and query parameters against their schemas;
// unknown query parameters are errors too (they are a client's typo).
func (s *spec) validateParams(op *operation, pathParams map[string]string, query url.Values) []string {
	var errs []string
	known := map[string]bool{}
	for _, p := range op.params {
		switch p.in {
		case "path":
			v, ok := pathParams[p.name]
			if !ok {
				errs = append(errs, fmt.Sprintf("path parameter %q missing", p.name))
				continue
			}
			errs = append(errs, s.validateScalar(p.schema, v, "path parameter "+p.name)...)
		case "query":
			known[p.name] = true
			vs, ok := query[p.name]
			if !ok {
				if p.required {
					errs = append(errs, fmt.Sprintf("query parameter %q is required", p.name))
				}
				continue
			}
			for _, v := range vs {
				errs = append(errs, s.validateScalar(p.schema, v, "query parameter "+p.name)...)
			}
		}
	}
	for k := range query {
		if !known[k] {
			errs = append(errs, fmt.Sprintf("query parameter %q is not in the description of %s", k, op.id))
		}
	}
	sort.Strings(errs)
	return errs
}

// validateScalar converts a parameter's string form to its schema's type
// and validates it.
func (s *spec) validateScalar(schema any, raw, where string) []string {
	sm, _ := s.deref(schema).(map[string]any)
	var v any = raw
	switch sm["type"] {
	case "integer":
		if _, err := strconv.ParseInt(raw, 10, 64); err != nil {
			return []string{fmt.Sprintf("%s: %q is not an integer", where, raw)}
		}
		v = json.Number(raw)
	case "number":
		if _, err := strconv.ParseFloat(raw, 64); err != nil {
			return []string{fmt.Sprintf("%s: %q is not a number", where, raw)}
		}
		v = json.Number(raw)
	case "boolean":
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return []string{fmt.Sprintf("%s: %q is not a boolean", where, raw)}
		}
		v = b
	}
	var errs []string
	s.validate(schema, v, where, false, &errs)
	return errs
}

// validate checks v against schema; strict rejects object properties the
// schema does not list (used for request bodies, where an unknown field is a
// client bug that GitHub would silently ignore).
func (s *spec) validate(schema, v any, at string, strict bool, errs *[]string) {
	if len(*errs) > 50 {
		return
	}
	sm, ok := s.deref(schema).(map[string]any)
	if !ok {
		return // no constraint
	}
	if v == nil {
		if n, _ := sm["nullable"].(bool); n {
			return
		}
		if _, typed := sm["type"]; typed {
			*errs = append(*errs, fmt.Sprintf("%s: null is not allowed", at))
			return
		}
	}
	if all, ok := sm["allOf"].([]any); ok {
		for _, sub := range all {
			s.validate(sub, v, at, false, errs)
		}
	}
	if any_, ok := sm["anyOf"].([]any); ok {
		matched := false
		for _, sub := range any_ {
			var e []string
			s.validate(sub, v, at, strict, &e)
			if len(e) == 0 {
				matched = true
				break
			}
		}
		if !matched {
			*errs = append(*errs, fmt.Sprintf("%s: matches none of anyOf", at))
		}
	}
	if one, ok := sm["oneOf"].([]any); ok {
		n := 0
		for _, sub := range one {
			var e []string
			s.validate(sub, v, at, strict, &e)
			if len(e) == 0 {
				n++
			}
		}
		if n != 1 {
			*errs = append(*errs, fmt.Sprintf("%s: matches %d of oneOf (want exactly 1)", at, n))
		}
	}
	if t, ok := sm["type"].(string); ok && !typeMatches(t, v) {
		*errs = append(*errs, fmt.Sprintf("%s: %s is not of type %s", at, jsonKind(v), t))
		return
	}
	if enum, ok := sm["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				found = true
				break
			}
		}
		if !found {
			*errs = append(*errs, fmt.Sprintf("%s: %v is not one of %v", at, v, enum))
		}
	}
	switch x := v.(type) {
	case string:
		n := utf8.RuneCountInString(x)
		if m, ok := number(sm["maxLength"]); ok && float64(n) > m {
			*errs = append(*errs, fmt.Sprintf("%s: length %d exceeds maxLength %v", at, n, m))
		}
		if m, ok := number(sm["minLength"]); ok && float64(n) < m {
			*errs = append(*errs, fmt.Sprintf("%s: length %d below minLength %v", at, n, m))
		}
		if f, _ := sm["format"].(string); f == "date-time" {
			if _, err := time.Parse(time.RFC3339, x); err != nil {
				*errs = append(*errs, fmt.Sprintf("%s: %q is not a date-time", at, x))
			}
		}
	case json.Number:
		f, _ := x.Float64()
		if m, ok := number(sm["maximum"]); ok && f > m {
			*errs = append(*errs, fmt.Sprintf("%s: %v exceeds maximum %v", at, x, m))
		}
		if m, ok := number(sm["minimum"]); ok && f < m {
			*errs = append(*errs, fmt.Sprintf("%s: %v below minimum %v", at, x, m))
		}
	case []any:
		if m, ok := number(sm["maxItems"]); ok && float64(len(x)) > m {
			*errs = append(*errs, fmt.Sprintf("%s: %d items exceed maxItems %v", at, len(x), m))
		}
		if m, ok := number(sm["minItems"]); ok && float64(len(x)) < m {
			*errs = append(*errs, fmt.Sprintf("%s: %d items below minItems %v", at, len(x), m))
		}
		if items, ok := sm["items"]; ok {
			for i, e := range x {
				s.validate(items, e, fmt.Sprintf("%s[%d]", at, i), strict, errs)
			}
		}
	case map[string]any:
		props, _ := sm["properties"].(map[string]any)
		if req, ok := sm["required"].([]any); ok {
			for _, r := range req {
				name, _ := r.(string)
				if _, ok := x[name]; !ok {
					*errs = append(*errs, fmt.Sprintf("%s: required property %q missing", at, name))
				}
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k]; ok {
				s.validate(ps, x[k], at+"."+k, strict, errs)
				continue
			}
			switch ap := sm["additionalProperties"].(type) {
			case bool:
				if !ap {
					*errs = append(*errs, fmt.Sprintf("%s: property %q not allowed", at, k))
				}
			case map[string]any:
				s.validate(ap, x[k], at+"."+k, strict, errs)
			case nil:
				if strict && props != nil {
					*errs = append(*errs, fmt.Sprintf("%s: property %q is not in the description", at, k))
				}
			}
		}
	}
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func typeMatches(t string, v any) bool {
	switch t {
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := strconv.ParseInt(string(n), 10, 64)
		return err == nil
	case "null":
		return v == nil
	}
	return true
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// responseSchema is the JSON schema of an operation's answer with status.
func (s *spec) responseSchema(op *operation, status int) any {
	r, ok := s.deref(op.responses[strconv.Itoa(status)]).(map[string]any)
	if !ok {
		return nil
	}
	c, _ := r["content"].(map[string]any)
	aj, _ := c["application/json"].(map[string]any)
	return aj["schema"]
}
