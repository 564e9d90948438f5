package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
)

const kedaModule = "github.com/kedacore/keda/v2"

// moduleDir finds the source of a module this binary was built with in the module cache.
func moduleDir(path string) (string, error) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", fmt.Errorf("no build information in the binary")
	}
	for _, dep := range info.Deps {
		if dep.Path != path {
			continue
		}
		if dep.Replace != nil {
			dep = dep.Replace
		}
		dir := filepath.Join(moduleCache(), escapeModulePath(dep.Path)+"@"+dep.Version)
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
			return "", fmt.Errorf("%s@%s is not in the module cache (%s): run `go mod download %s` in tools/manifest-check",
				dep.Path, dep.Version, dir, dep.Path)
		}
		return dir, nil
	}
	return "", fmt.Errorf("%s is not a dependency of this binary", path)
}

// ScalerParams is what one KEDA scaler reads: trigger metadata and authentication parameters,
// found in the scaler's source (TriggerMetadata["x"], AuthParams["x"], or through a constant),
// since KEDA silently ignores names it does not read.
type ScalerParams struct {
	Metadata, Auth map[string]bool
}

var (
	paramIndex = regexp.MustCompile(`(TriggerMetadata|AuthParams)\[\s*("?[A-Za-z0-9_]+"?)\s*\]`)
	stringDecl = regexp.MustCompile(`(?m)^\s*([A-Za-z0-9_]+)\s*(?:[A-Za-z0-9_]+\s*)?=\s*"([^"]*)"`)
)

func scalerParams(kedaDir, triggerType string) (*ScalerParams, error) {
	file := filepath.Join(kedaDir, "pkg", "scalers", strings.ReplaceAll(triggerType, "-", "_")+"_scaler.go")
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("KEDA has no scaler %q", triggerType)
	}
	consts := map[string]string{}
	for _, m := range stringDecl.FindAllStringSubmatch(string(src), -1) {
		consts[m[1]] = m[2]
	}
	p := &ScalerParams{Metadata: map[string]bool{}, Auth: map[string]bool{}}
	for _, m := range paramIndex.FindAllStringSubmatch(string(src), -1) {
		name := strings.Trim(m[2], `"`)
		if !strings.HasPrefix(m[2], `"`) {
			name = consts[m[2]]
		}
		if name == "" {
			continue
		}
		if m[1] == "TriggerMetadata" {
			p.Metadata[name] = true
		} else {
			p.Auth[name] = true
		}
	}
	if len(p.Metadata) == 0 {
		return nil, fmt.Errorf("cannot tell which metadata KEDA's %s scaler reads", triggerType)
	}
	return p, nil
}

func checkScaledObject(b Bundle, o Object, so *kedav1alpha1.ScaledObject, kedaDir string, r *Report) {
	w := o.Where()
	if err := kedav1alpha1.ValidateTriggers(so.Spec.Triggers); err != nil {
		r.Errorf(w, "%v", err)
	}
	if err := kedav1alpha1.CheckReplicaCountBoundsAreValid(so); err != nil {
		r.Errorf(w, "%v", err)
	}
	if err := kedav1alpha1.CheckFallbackValid(so); err != nil {
		r.Errorf(w, "%v", err)
	}
	for i, t := range so.Spec.Triggers {
		tw := fmt.Sprintf("%s trigger %d (%s)", w, i, t.Type)
		params, err := scalerParams(kedaDir, t.Type)
		if err != nil {
			r.Errorf(tw, "%v", err)
			continue
		}
		for k := range t.Metadata {
			if !params.Metadata[k] {
				r.Errorf(tw, "metadata %q is not read by KEDA's %s scaler (%s)", k, t.Type,
					strings.Join(sortedKeys(params.Metadata), ", "))
			}
		}
		if t.AuthenticationRef == nil {
			continue
		}
		if t.AuthenticationRef.Kind != "" && t.AuthenticationRef.Kind != "TriggerAuthentication" {
			continue
		}
		ta, ok := named[*kedav1alpha1.TriggerAuthentication](b, t.AuthenticationRef.Name)
		if !ok {
			r.Errorf(tw, "authenticationRef %q names no TriggerAuthentication of the bundle", t.AuthenticationRef.Name)
			continue
		}
		for _, s := range ta.Spec.SecretTargetRef {
			if !params.Auth[s.Parameter] {
				r.Errorf(tw, "TriggerAuthentication %s parameter %q is not read by KEDA's %s scaler (%s)",
					ta.Name, s.Parameter, t.Type, strings.Join(sortedKeys(params.Auth), ", "))
			}
		}
	}
}
