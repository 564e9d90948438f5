package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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
}

// ComponentFields is what a component type accepts: field (lower case) -> its schema entry.
type ComponentFields struct {
	Source string
	Fields map[string]metadataField
}

// Contrib reads components-contrib's schemas from the Go module cache.
type Contrib struct {
	Dir   string
	cache map[string]*ComponentFields
}

func findContrib() (*Contrib, error) {
	dir, err := moduleDir(contribModule)
	if err != nil {
		return nil, err
	}
	return &Contrib{Dir: dir, cache: map[string]*ComponentFields{}}, nil
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

var mapstructureTag = regexp.MustCompile("mapstructure:\"([A-Za-z0-9_.-]+)")

// Fields returns what a component of type `typ` (e.g. "pubsub.kafka") and version accepts:
// the fields of its metadata.yaml, or, for a component without one, the mapstructure tags of
// its metadata struct; plus what the runtime reads for every component of that kind.
func (c *Contrib) Fields(typ, version string) (*ComponentFields, error) {
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
	f := &ComponentFields{Fields: map[string]metadataField{}}
	// A field may appear in several authentication profiles: it accepts what any allows.
	add := func(m metadataField) {
		key := strings.ToLower(m.Name)
		if prev, ok := f.Fields[key]; ok {
			m.Sensitive = m.Sensitive || prev.Sensitive
			if len(prev.AllowedValues) == 0 || len(m.AllowedValues) == 0 {
				m.AllowedValues = nil
			} else {
				m.AllowedValues = append(slices.Clone(prev.AllowedValues), m.AllowedValues...)
			}
		}
		f.Fields[key] = m
	}
	if data, err := os.ReadFile(filepath.Join(dir, "metadata.yaml")); err == nil {
		var s componentSchema
		if err := sigsyaml.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("%s/metadata.yaml: %w", typ, err)
		}
		if s.Version != version {
			return nil, fmt.Errorf("%s has version %q, not %q", typ, s.Version, version)
		}
		f.Source = "its metadata.yaml"
		for _, m := range s.Metadata {
			add(m)
		}
		for _, p := range s.AuthenticationProfiles {
			for _, m := range p.Metadata {
				add(m)
			}
		}
		for _, p := range s.BuiltinAuthenticationProfiles {
			for _, m := range p.Metadata {
				add(m)
			}
		}
	} else {
		f.Source = "the mapstructure tags of its source"
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				return nil, err
			}
			for _, m := range mapstructureTag.FindAllStringSubmatch(string(src), -1) {
				if m[1] != "-" {
					add(metadataField{Name: m[1]})
				}
			}
		}
		if len(f.Fields) == 0 {
			return nil, fmt.Errorf("cannot tell which metadata %s accepts (no metadata.yaml, no mapstructure tags)", typ)
		}
	}
	for _, name := range contribmetadata.ComponentType(kind).BuiltInMetadataProperties() {
		add(metadataField{Name: name})
	}
	for _, name := range runtimeMetadata[kind] {
		add(metadataField{Name: name})
	}
	c.cache[typ+"/"+version] = f
	return f, nil
}
