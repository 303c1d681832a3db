package fakegithub

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// The descriptions and their examples are embedded so the fake works from
// any package's tests (origin and licence: testdata/ORIGINS.md).
//
//go:embed testdata/github-rest-subset.openapi.json testdata/github-rest-extra.openapi.json testdata/github-rest-checks.openapi.json testdata/github-rest-gitdata.openapi.json testdata/rest-examples/*.json
var files embed.FS

// descriptions are the trimmed REST descriptions the fake serves; their
// path items are disjoint and the components they share are identical (all
// are cut from the same upstream document).
var descriptions = []string{
	"testdata/github-rest-subset.openapi.json",
	"testdata/github-rest-extra.openapi.json",
	"testdata/github-rest-checks.openapi.json",
	"testdata/github-rest-gitdata.openapi.json",
}

// spec is the loaded REST description (kin-openapi validates requests
// against it) and its operations, for routing.
type spec struct {
	doc *openapi3.T
	ops []*operation
}

type operation struct {
	id       string
	method   string
	template string
	segs     []string
	// multi holds the path parameters marked x-multi-segment: their values
	// may contain "/" (contents/{path}, git/ref/{ref}).
	multi map[string]bool
	// query holds the query parameters the operation declares.
	query map[string]bool
	route *routers.Route
}

// body is the operation's request body, or nil when it takes none.
func (op *operation) body() *openapi3.RequestBody {
	if op.route.Operation.RequestBody == nil {
		return nil
	}
	return op.route.Operation.RequestBody.Value
}

// bodySchema is the JSON schema of the operation's request body (nil when
// none).
func (op *operation) bodySchema() *openapi3.Schema {
	b := op.body()
	if b == nil {
		return nil
	}
	mt := b.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// mergeDescriptions joins the descriptions into one document: paths must
// not overlap, and a component defined by two must be defined identically.
func mergeDescriptions(raws [][]byte) ([]byte, error) {
	var merged map[string]any
	for i, raw := range raws {
		var d map[string]any
		if err := json.Unmarshal(raw, &d); err != nil {
			return nil, fmt.Errorf("parse %s: %w", descriptions[i], err)
		}
		if merged == nil {
			merged = d
			continue
		}
		if err := mergePaths(merged, d, descriptions[i]); err != nil {
			return nil, err
		}
		if err := mergeComponents(merged, d, descriptions[i]); err != nil {
			return nil, err
		}
		mergeTags(merged, d)
	}
	return json.Marshal(merged)
}

// mergePaths adds the paths of d (the description named name) to merged's;
// a path both describe is an error.
func mergePaths(merged, d map[string]any, name string) error {
	paths, _ := merged["paths"].(map[string]any)
	newPaths, _ := d["paths"].(map[string]any)
	if paths == nil {
		return fmt.Errorf("%s: no paths", descriptions[0])
	}
	for p, item := range newPaths {
		if _, dup := paths[p]; dup {
			return fmt.Errorf("%s: path %s is already described", name, p)
		}
		paths[p] = item
	}
	return nil
}

// mergeComponents adds the components of d (the description named name) to
// merged's, section by section; a component both define differently is an
// error.
func mergeComponents(merged, d map[string]any, name string) error {
	comps, _ := merged["components"].(map[string]any)
	if comps == nil {
		comps = map[string]any{}
		merged["components"] = comps
	}
	newComps, _ := d["components"].(map[string]any)
	for section, v := range newComps {
		entries, _ := v.(map[string]any)
		dst, _ := comps[section].(map[string]any)
		if dst == nil {
			dst = map[string]any{}
			comps[section] = dst
		}
		for comp, def := range entries {
			if old, dup := dst[comp]; dup && !reflect.DeepEqual(old, def) {
				return fmt.Errorf("%s: components.%s.%s differs from the one already loaded", name, section, comp)
			}
			dst[comp] = def
		}
	}
	return nil
}

// mergeTags adds the tags of d that merged lacks (by name).
func mergeTags(merged, d map[string]any) {
	tags, ok := d["tags"].([]any)
	if !ok {
		return
	}
	old, _ := merged["tags"].([]any)
	have := map[string]bool{}
	for _, t := range old {
		if m, ok := t.(map[string]any); ok {
			have[fmt.Sprint(m["name"])] = true
		}
	}
	for _, t := range tags {
		if m, ok := t.(map[string]any); ok && !have[fmt.Sprint(m["name"])] {
			old = append(old, t)
		}
	}
	merged["tags"] = old
}

func loadSpec() (*spec, error) {
	var raws [][]byte
	for _, name := range descriptions {
		raw, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read the REST description: %w", err)
		}
		raws = append(raws, raw)
	}
	data, err := mergeDescriptions(raws)
	if err != nil {
		return nil, fmt.Errorf("merge the REST descriptions: %w", err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load the REST description: %w", err)
	}
	// Upstream examples do not all match their schemas (ORIGINS.md).
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("the REST description is invalid: %w", err)
	}
	s := &spec{doc: doc}
	for tmpl, item := range doc.Paths.Map() {
		for method, o := range item.Operations() {
			op := &operation{
				id:       o.OperationID,
				method:   method,
				template: tmpl,
				segs:     strings.Split(strings.TrimPrefix(tmpl, "/"), "/"),
				multi:    map[string]bool{},
				query:    map[string]bool{},
				route:    &routers.Route{Spec: doc, Path: tmpl, PathItem: item, Method: method, Operation: o},
			}
			for _, p := range append(append(openapi3.Parameters{}, item.Parameters...), o.Parameters...) {
				if p == nil || p.Value == nil {
					return nil, fmt.Errorf("operation %s: unresolved parameter", op.id)
				}
				switch p.Value.In {
				case openapi3.ParameterInPath:
					if m, _ := p.Value.Extensions["x-multi-segment"].(bool); m {
						op.multi[p.Value.Name] = true
					}
				case openapi3.ParameterInQuery:
					op.query[p.Value.Name] = true
				}
			}
			s.ops = append(s.ops, op)
		}
	}
	sort.Slice(s.ops, func(i, j int) bool { return s.ops[i].template+s.ops[i].method < s.ops[j].template+s.ops[j].method })
	return s, nil
}

// match finds the operation for a method and an unescaped list of path
// segments, preferring the template with the most literal segments, and
// returns the path parameters. kin-openapi's routers cannot match a value
// containing "/" (x-multi-segment), hence this matcher.
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
			if i == len(op.segs)-1 && op.multi[name] {
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

// validationOptions: every problem at once, no defaults written into the
// request, and no security schemes to check (the fake authenticates).
func validationOptions() *openapi3filter.Options {
	return &openapi3filter.Options{
		MultiError:          true,
		SkipSettingDefaults: true,
		AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
	}
}

// validateRequest checks r's path and query parameters and its JSON body
// (already read; nil for none) with kin-openapi, then the fake's own
// checks kin-openapi does not make: unknown query parameters and unknown
// body fields (GitHub ignores both, but a client sending them has a bug).
// It returns one message per problem and the status GitHub answers: 400
// when a parameter is wrong, else 422 for a body that breaks its schema.
func (s *spec) validateRequest(r *http.Request, op *operation, pathParams map[string]string, body []byte, doc any) (errs []string, status int) {
	status = http.StatusUnprocessableEntity
	req := r.Clone(r.Context())
	req.Body = http.NoBody
	req.ContentLength = int64(len(body))
	req.GetBody = nil
	if len(body) > 0 {
		req.Body = readCloser{bytes.NewReader(body)}
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: pathParams,
		Route:      op.route,
		Options:    validationOptions(),
	}
	if err := openapi3filter.ValidateRequest(r.Context(), input); err != nil {
		for _, m := range flatten(err, "") {
			errs = append(errs, m.text)
			if !m.body {
				status = http.StatusBadRequest
			}
		}
	}
	for k := range r.URL.Query() {
		if !op.query[k] {
			errs = append(errs, fmt.Sprintf("query parameter %q is not in the description of %s", k, op.id))
			status = http.StatusBadRequest
		}
	}
	if doc != nil {
		var extra []string
		unknownFields(op.bodySchema(), doc, "body", &extra, 0)
		errs = append(errs, extra...)
	}
	sort.Strings(errs)
	return errs, status
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

type problem struct {
	text string
	body bool
}

// flatten turns kin-openapi's nested errors into one line per problem,
// naming where it is (body.output.title, query parameter per_page).
func flatten(err error, where string) []problem {
	switch e := err.(type) {
	case openapi3.MultiError:
		var out []problem
		for _, sub := range e {
			out = append(out, flatten(sub, where)...)
		}
		return out
	case *openapi3filter.RequestError:
		w, body := where, e.RequestBody != nil
		switch {
		case e.Parameter != nil:
			w = e.Parameter.In + " parameter " + e.Parameter.Name
		case body:
			w = "body"
		}
		if e.Err == nil {
			return []problem{{text: w + ": " + e.Reason, body: body}}
		}
		out := flatten(e.Err, w)
		for i := range out {
			out[i].body = body
		}
		return out
	case *openapi3filter.ResponseError:
		if e.Err == nil {
			return []problem{{text: where + ": " + e.Reason}}
		}
		return flatten(e.Err, where)
	case *openapi3.SchemaError:
		at := where
		if ptr := e.JSONPointer(); len(ptr) > 0 {
			at += "." + strings.Join(ptr, ".")
		}
		return []problem{{text: at + ": " + e.Reason + branchErrors(e, at)}}
	}
	if where == "" {
		where = "request"
	}
	return []problem{{text: where + ": " + err.Error()}}
}

// branchErrors says why a value matched no branch of an anyOf or oneOf
// (kin-openapi only says that it did not): "(branch 1: …; branch 2: …)".
func branchErrors(e *openapi3.SchemaError, at string) string {
	if e.Schema == nil || (e.SchemaField != "anyOf" && e.SchemaField != "oneOf") {
		return ""
	}
	branches := e.Schema.AnyOf
	if e.SchemaField == "oneOf" {
		branches = e.Schema.OneOf
	}
	var parts []string
	for i, b := range branches {
		if b == nil || b.Value == nil {
			continue
		}
		err := b.Value.VisitJSON(e.Value, openapi3.MultiErrors(), openapi3.VisitAsRequest())
		if err == nil {
			continue
		}
		var msgs []string
		for _, p := range flatten(err, at) {
			msgs = append(msgs, p.text)
		}
		parts = append(parts, fmt.Sprintf("branch %d: %s", i+1, strings.Join(msgs, ", ")))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// unknownFields reports object properties that no schema in scope lists,
// where the schema does not allow additional properties explicitly. It
// looks through allOf/anyOf/oneOf: a property any branch knows is known.
func unknownFields(schema *openapi3.Schema, v any, at string, errs *[]string, depth int) {
	if schema == nil || depth > 64 || len(*errs) > 50 {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, items := range alternatives(schema) {
			if items.Items == nil || items.Items.Value == nil {
				continue
			}
			for i, e := range x {
				unknownFields(items.Items.Value, e, fmt.Sprintf("%s[%d]", at, i), errs, depth+1)
			}
			return
		}
	case map[string]any:
		unknownProperties(objectShapeOf(schema), x, at, errs, depth)
	}
}

// objectShape is what the alternatives of an object schema say of its
// properties together.
type objectShape struct {
	props      map[string][]*openapi3.Schema // the schemas of each listed property
	additional []*openapi3.Schema            // the schemas of other properties
	open       bool                          // other properties are allowed
	listed     bool                          // some alternative lists properties
}

func objectShapeOf(schema *openapi3.Schema) objectShape {
	s := objectShape{props: map[string][]*openapi3.Schema{}}
	for _, a := range alternatives(schema) {
		for name, p := range a.Properties {
			s.listed = true
			if p != nil && p.Value != nil {
				s.props[name] = append(s.props[name], p.Value)
			}
		}
		ap := a.AdditionalProperties
		if ap.Has != nil && *ap.Has {
			s.open = true
		}
		if ap.Schema != nil && ap.Schema.Value != nil {
			s.open = true
			s.additional = append(s.additional, ap.Schema.Value)
		}
	}
	return s
}

// unknownProperties reports the properties of x the shape does not know, in
// key order, and looks into the values of those it does.
func unknownProperties(s objectShape, x map[string]any, at string, errs *[]string, depth int) {
	keys := make([]string, 0, len(x))
	for k := range x {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if ps, ok := s.props[k]; ok {
			for _, p := range ps {
				unknownFields(p, x[k], at+"."+k, errs, depth+1)
			}
			continue
		}
		for _, p := range s.additional {
			unknownFields(p, x[k], at+"."+k, errs, depth+1)
		}
		if !s.open && s.listed {
			*errs = append(*errs, fmt.Sprintf("%s: property %q is not in the description", at, k))
		}
	}
}

// alternatives is schema and every schema reachable through its allOf,
// anyOf and oneOf.
func alternatives(schema *openapi3.Schema) []*openapi3.Schema {
	var out []*openapi3.Schema
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		if s == nil || seen[s] || len(seen) > 256 {
			return
		}
		seen[s] = true
		out = append(out, s)
		for _, list := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for _, r := range list {
				if r != nil {
					walk(r.Value)
				}
			}
		}
	}
	walk(schema)
	return out
}
