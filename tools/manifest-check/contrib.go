package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	// The metadata schemas of Dapr's components (metadata.yaml) are read from the source of
	// this module, at the version dapr's release requires; importing one small package of it
	// puts that version into the build (and its checksum into go.sum).
	contribmetadata "github.com/dapr/components-contrib/metadata"
	"github.com/dapr/dapr/pkg/scopes"
	sigsyaml "sigs.k8s.io/yaml"
)

const contribModule = "github.com/dapr/components-contrib"

// Metadata Dapr's runtime reads itself, which the components' schemas do not list
// (dapr/pkg/runtime/processor/{pubsub,binding}, dapr/pkg/scopes).
var runtimeMetadata = map[string][]string{
	"pubsub":   {"consumerID", scopes.PublishingScopes, scopes.SubscriptionScopes, scopes.AllowedTopics, scopes.ProtectedTopics},
	"bindings": {"direction", "route"},
}

type metadataField struct {
	Name          string   `json:"name"`
	Sensitive     bool     `json:"sensitive"`
	AllowedValues []string `json:"allowedValues"`
}

type componentSchema struct {
	Version                string `json:"version"`
	Metadata               []metadataField
	AuthenticationProfiles []struct {
		Metadata []metadataField `json:"metadata"`
	} `json:"authenticationProfiles"`
	BuiltinAuthenticationProfiles []struct {
		Metadata []metadataField `json:"metadata"`
	} `json:"builtinAuthenticationProfiles"`
	Binding *struct {
		Input  bool `json:"input"`
		Output bool `json:"output"`
	} `json:"binding"`
}

// ComponentInfo is what a component type accepts (field, lower case -> its schema entry)
// and, for a binding, which directions it supports.
type ComponentInfo struct {
	Source        string
	Fields        map[string]metadataField
	Input, Output bool
}

// Contrib reads components-contrib's schemas from the Go module cache.
type Contrib struct {
	Dir   string
	cache map[string]*ComponentInfo
}

func findContrib() (*Contrib, error) {
	dir, err := moduleDir(contribModule)
	if err != nil {
		return nil, err
	}
	return &Contrib{Dir: dir, cache: map[string]*ComponentInfo{}}, nil
}

func moduleCache() string {
	if d := os.Getenv("GOMODCACHE"); d != "" {
		return d
	}
	if p := os.Getenv("GOPATH"); p != "" {
		return filepath.Join(filepath.SplitList(p)[0], "pkg", "mod")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, "go", "pkg", "mod")
}

// escapeModulePath is the module cache's case encoding: an upper-case letter becomes "!" and
// its lower case.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, c := range p {
		if unicode.IsUpper(c) {
			b.WriteRune('!')
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Info returns what a component of type `typ` (e.g. "pubsub.kafka") and version accepts: the
// fields of its metadata.yaml or, for a component without one, of its metadata struct in the
// source; plus what the runtime reads for every component of that kind.
func (c *Contrib) Info(typ, version string) (*ComponentInfo, error) {
	if f, ok := c.cache[typ+"/"+version]; ok {
		return f, nil
	}
	kind, _, _ := strings.Cut(typ, ".")
	if !contribmetadata.ComponentType(kind).IsValid() {
		return nil, fmt.Errorf("%q is not a kind of Dapr component", kind)
	}
	dir := filepath.Join(c.Dir, filepath.FromSlash(strings.ReplaceAll(typ, ".", "/")))
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("no component type %q in %s", typ, contribModule)
	}
	info := &ComponentInfo{Fields: map[string]metadataField{}}
	if data, err := os.ReadFile(filepath.Join(dir, "metadata.yaml")); err == nil {
		if err := info.fromSchema(typ, version, data); err != nil {
			return nil, err
		}
	} else if err := info.fromSource(typ, dir); err != nil {
		return nil, err
	}
	for _, name := range contribmetadata.ComponentType(kind).BuiltInMetadataProperties() {
		info.add(metadataField{Name: name})
	}
	for _, name := range runtimeMetadata[kind] {
		info.add(metadataField{Name: name})
	}
	c.cache[typ+"/"+version] = info
	return info, nil
}

// add records a field; one that appears in several authentication profiles accepts what
// any of them allows.
func (info *ComponentInfo) add(m metadataField) {
	key := strings.ToLower(m.Name)
	if prev, ok := info.Fields[key]; ok {
		m.Sensitive = m.Sensitive || prev.Sensitive
		if len(prev.AllowedValues) == 0 || len(m.AllowedValues) == 0 {
			m.AllowedValues = nil
		} else {
			m.AllowedValues = append(slices.Clone(prev.AllowedValues), m.AllowedValues...)
		}
	}
	info.Fields[key] = m
}

func (info *ComponentInfo) fromSchema(typ, version string, data []byte) error {
	var s componentSchema
	if err := sigsyaml.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("%s/metadata.yaml: %w", typ, err)
	}
	if s.Version != version {
		return fmt.Errorf("%s has version %q, not %q", typ, s.Version, version)
	}
	info.Source = "its metadata.yaml"
	for _, m := range s.Metadata {
		info.add(m)
	}
	for _, p := range s.AuthenticationProfiles {
		for _, m := range p.Metadata {
			info.add(m)
		}
	}
	for _, p := range s.BuiltinAuthenticationProfiles {
		for _, m := range p.Metadata {
			info.add(m)
		}
	}
	if s.Binding != nil {
		info.Input, info.Output = s.Binding.Input, s.Binding.Output
	}
	return nil
}

// fromSource reads a component without a metadata.yaml from its Go source: the fields of its
// metadata struct (a struct type whose name contains "metadata"), named by their mapstructure
// tag or, without one, by the field name (mapstructure matches it case-insensitively); and
// for a binding, Read means input and Invoke output.
func (info *ComponentInfo) fromSource(typ, dir string) error {
	info.Source = "the metadata struct of its source"
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.TypeSpec:
				if s, ok := n.Type.(*ast.StructType); ok && strings.Contains(strings.ToLower(n.Name.Name), "metadata") {
					info.addStructFields(s)
				}
			case *ast.FuncDecl:
				if n.Recv != nil && n.Name.Name == "Read" {
					info.Input = true
				}
				if n.Recv != nil && n.Name.Name == "Invoke" {
					info.Output = true
				}
			}
			return true
		})
	}
	if len(info.Fields) == 0 {
		return fmt.Errorf("cannot tell which metadata %s accepts (no metadata.yaml, no metadata struct)", typ)
	}
	return nil
}

func (info *ComponentInfo) addStructFields(s *ast.StructType) {
	for _, field := range s.Fields.List {
		tag := ""
		if field.Tag != nil {
			if t, err := strconv.Unquote(field.Tag.Value); err == nil {
				tag, _, _ = strings.Cut(reflect.StructTag(t).Get("mapstructure"), ",")
			}
		}
		if tag == "-" {
			continue
		}
		if tag != "" {
			info.add(metadataField{Name: tag})
			continue
		}
		for _, name := range field.Names {
			if name.IsExported() {
				info.add(metadataField{Name: name.Name})
			}
		}
	}
}
