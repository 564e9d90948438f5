package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"
)

// Bundle is what one kustomization renders to (k8s/base, each overlay), or the local Dapr
// resources under dapr/.
type Bundle struct {
	Name    string // e.g. "k8s/overlays/local"
	Objects []Object
	Contrib *Contrib // the schemas of Dapr's components
}

// kustomizationDirs finds every directory under k8s/ with a kustomization.yaml, split into
// Kustomizations (rendered) and Components (rendered through the overlays that use them).
func kustomizationDirs(root string) (kustomizations, components []string, err error) {
	err = filepath.WalkDir(filepath.Join(root, "k8s"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "kustomization.yaml" {
			return err
		}
		k, err := readKustomization(path)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		if k.Kind == types.ComponentKind {
			components = append(components, dir)
		} else {
			kustomizations = append(kustomizations, dir)
		}
		return nil
	})
	sort.Strings(kustomizations)
	sort.Strings(components)
	return kustomizations, components, err
}

func readKustomization(path string) (*types.Kustomization, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var k types.Kustomization
	if err := sigsyaml.UnmarshalStrict(data, &k); err != nil {
		return nil, relError(path, err)
	}
	return &k, nil
}

// render runs Kustomize (the library kubectl uses) on dir and decodes every object strictly.
func render(root, dir string, contrib *Contrib, r *Report) Bundle {
	name := rel(root, dir)
	b := Bundle{Name: name, Contrib: contrib}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		r.Errorf(name, "kustomize: %v", err)
		return b
	}
	for _, res := range resources.Resources() {
		doc, err := res.AsYAML()
		if err != nil {
			r.Errorf(name, "%v", err)
			continue
		}
		o, err := decodeStrict(name, doc)
		if err != nil {
			r.Errorf(name, "%v", trimOrigin(err, name))
		}
		if o.Typed != nil {
			b.Objects = append(b.Objects, o)
		}
	}
	return b
}

// decodeFile decodes every document of a plain YAML file (not rendered by Kustomize).
func decodeFile(root, path string, r *Report) []Object {
	data, err := os.ReadFile(path)
	if err != nil {
		r.Errorf(rel(root, path), "%v", err)
		return nil
	}
	var objects []Object
	for _, doc := range splitDocuments(data) {
		o, err := decodeStrict(rel(root, path), doc)
		if err != nil {
			r.Errorf(rel(root, path), "%v", trimOrigin(err, rel(root, path)))
		}
		if o.Typed != nil {
			objects = append(objects, o)
		}
	}
	return objects
}

func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	for _, part := range bytes.Split(append([]byte("\n"), data...), []byte("\n---")) {
		if len(bytes.TrimSpace(stripComments(part))) > 0 {
			docs = append(docs, part)
		}
	}
	return docs
}

func stripComments(doc []byte) []byte {
	var out []byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			out = append(out, line...)
			out = append(out, '\n')
		}
	}
	return out
}

// unreferencedFiles lists YAML files under k8s/ that no kustomization uses (so nothing would
// ever apply or check them), except the given ones.
func unreferencedFiles(root string, dirs []string, except ...string) ([]string, error) {
	used := map[string]bool{}
	for _, p := range except {
		used[filepath.Join(root, p)] = true
	}
	for _, dir := range dirs {
		k, err := readKustomization(filepath.Join(dir, "kustomization.yaml"))
		if err != nil {
			return nil, err
		}
		used[filepath.Join(dir, "kustomization.yaml")] = true
		for _, p := range k.Resources {
			used[filepath.Join(dir, p)] = true
		}
		for _, p := range k.Patches {
			if p.Path != "" {
				used[filepath.Join(dir, p.Path)] = true
			}
		}
	}
	var unused []string
	err := filepath.WalkDir(filepath.Join(root, "k8s"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if ext := filepath.Ext(path); (ext == ".yaml" || ext == ".yml") && !used[path] &&
			!strings.HasSuffix(path, ".local.yaml") {
			unused = append(unused, rel(root, path))
		}
		return nil
	})
	return unused, err
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil {
		return filepath.ToSlash(r)
	}
	return path
}

func relError(path string, err error) error {
	return &pathError{path: path, err: err}
}

type pathError struct {
	path string
	err  error
}

func (e *pathError) Error() string { return e.path + ": " + e.err.Error() }

// trimOrigin drops a leading "origin: " from an error that already names its origin, since
// the report prefixes it again.
func trimOrigin(err error, origin string) string {
	return strings.TrimPrefix(err.Error(), origin+": ")
}

// lintYAML checks that every YAML file under k8s/ parses, without duplicate keys, naming the
// file (Kustomize's own error does not).
func lintYAML(root string, r *Report) {
	_ = filepath.WalkDir(filepath.Join(root, "k8s"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (filepath.Ext(path) != ".yaml" && filepath.Ext(path) != ".yml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			r.Errorf(rel(root, path), "%v", err)
			return nil
		}
		docs := splitDocuments(data)
		for i, doc := range docs {
			if _, err := sigsyaml.YAMLToJSONStrict(doc); err != nil {
				where := rel(root, path)
				if len(docs) > 1 {
					where += fmt.Sprintf(" (document %d, lines counted from its start)", i+1)
				}
				r.Errorf(where, "%v", err)
			}
		}
		return nil
	})
}
