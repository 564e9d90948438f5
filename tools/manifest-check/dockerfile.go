package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
)

// Stage is one FROM ... section of a Dockerfile.
type Stage struct {
	Image, Name string
	Runs        []string
	Copies      [][]string // the words of each COPY after its flags, and its --from
	CopyFrom    []string
	User        string
}

// parseDockerfile reads the instructions we use: FROM, RUN, COPY, USER (line continuations
// joined, comments dropped).
func parseDockerfile(text string) ([]Stage, error) {
	var stages []Stage
	var lines []string
	cur := ""
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		if cur == "" && (t == "" || strings.HasPrefix(t, "#")) {
			continue
		}
		if strings.HasSuffix(t, "\\") {
			cur += strings.TrimSuffix(t, "\\") + " "
			continue
		}
		lines = append(lines, cur+t)
		cur = ""
	}
	for _, l := range lines {
		instr, rest, _ := strings.Cut(l, " ")
		words := strings.Fields(rest)
		switch strings.ToUpper(instr) {
		case "FROM":
			s := Stage{}
			if len(words) > 0 {
				s.Image = words[0]
			}
			if len(words) == 3 && strings.EqualFold(words[1], "AS") {
				s.Name = words[2]
			}
			stages = append(stages, s)
		case "RUN", "COPY", "USER":
			if len(stages) == 0 {
				return nil, fmt.Errorf("%s before FROM", instr)
			}
			s := &stages[len(stages)-1]
			switch strings.ToUpper(instr) {
			case "RUN":
				s.Runs = append(s.Runs, rest)
			case "USER":
				s.User = strings.TrimSpace(rest)
			case "COPY":
				from := ""
				for len(words) > 0 && strings.HasPrefix(words[0], "--") {
					if v, ok := strings.CutPrefix(words[0], "--from="); ok {
						from = v
					}
					words = words[1:]
				}
				s.Copies = append(s.Copies, words)
				s.CopyFrom = append(s.CopyFrom, from)
			}
		}
	}
	return stages, nil
}

var aptInstall = regexp.MustCompile(`apt-get\s+install\s+([^&;|]*)`)

// aptPackages lists the packages a stage installs with apt-get install, and whether every
// install leaves out recommended packages.
func aptPackages(s Stage) (pkgs []string, noRecommends bool) {
	noRecommends = true
	for _, run := range s.Runs {
		for _, m := range aptInstall.FindAllStringSubmatch(run, -1) {
			if !strings.Contains(m[1], "--no-install-recommends") {
				noRecommends = false
			}
			for _, w := range strings.Fields(m[1]) {
				if !strings.HasPrefix(w, "-") {
					pkgs = append(pkgs, w)
				}
			}
		}
	}
	return pkgs, noRecommends
}

// setupPackages reads the package list of scripts/setup (`packages=( ... )`).
func setupPackages(root string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(root, "scripts", "setup"))
	if err != nil {
		return nil, err
	}
	m := regexp.MustCompile(`(?s)\npackages=\(([^)]*)\)`).FindSubmatch(data)
	if m == nil {
		return nil, fmt.Errorf("scripts/setup: no packages=( ... ) list")
	}
	var pkgs []string
	for _, line := range strings.Split(string(m[1]), "\n") {
		line, _, _ = strings.Cut(line, "#")
		pkgs = append(pkgs, strings.Fields(line)...)
	}
	return pkgs, nil
}

// checkDockerfile: a Debian bookworm build stage with every library the build needs, a
// bookworm-slim runtime stage without build tools, running as the non-root user the pods
// run as, and holding every service binary where the Deployments run it from.
func checkDockerfile(root string, base Bundle, services []string, binDir string, r *Report) {
	const w = "Dockerfile"
	data, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		r.Errorf(w, "%v", err)
		return
	}
	stages, err := parseDockerfile(string(data))
	if err != nil || len(stages) < 2 {
		r.Errorf(w, "want a multi-stage build (a build stage and a runtime stage): %v", err)
		return
	}
	build, final := stages[0], stages[len(stages)-1]
	if build.Image != "debian:bookworm" {
		r.Errorf(w, "build stage FROM %s, want debian:bookworm (the Debian release the project is built and tested on)", build.Image)
	}
	if final.Image != "debian:bookworm-slim" {
		r.Errorf(w, "runtime stage FROM %s, want debian:bookworm-slim", final.Image)
	}
	buildPkgs, ok1 := aptPackages(build)
	runtimePkgs, ok2 := aptPackages(final)
	if !ok1 || !ok2 {
		r.Errorf(w, "every apt-get install needs --no-install-recommends")
	}
	configure := strings.Join(build.Runs, "\n")
	if !strings.Contains(configure, "cmake --preset release") || !strings.Contains(configure, "cmake --build --preset release") {
		r.Errorf(w, "the build stage does not configure and build with the release preset (cmake --preset release; cmake --build --preset release)")
	}
	testsOff := strings.Contains(configure, "-DTEW_BUILD_TESTS=OFF")
	if setup, err := setupPackages(root); err != nil {
		r.Errorf(w, "%v", err)
	} else {
		for _, p := range setup {
			if strings.HasSuffix(p, "-dev") && !(p == "doctest-dev" && testsOff) && !slices.Contains(buildPkgs, p) {
				r.Errorf(w, "the build stage does not install %s, which scripts/setup installs for the build", p)
			}
		}
	}
	for _, tool := range []string{"cmake", "ninja-build"} {
		if !slices.Contains(buildPkgs, tool) {
			r.Errorf(w, "the build stage does not install %s (the presets use the Ninja generator)", tool)
		}
	}
	for _, p := range runtimePkgs {
		if strings.HasSuffix(p, "-dev") || p == "build-essential" || p == "cmake" {
			r.Errorf(w, "the runtime stage installs build package %s", p)
		}
	}

	uid, gid, err := numericUser(final.User)
	if err != nil {
		r.Errorf(w, "runtime stage USER %q: %v", final.User, err)
	}
	installed := map[string]string{} // binary -> path in the image
	for i, words := range final.Copies {
		if final.CopyFrom[i] == "" || len(words) < 2 {
			continue
		}
		dest := words[len(words)-1]
		for _, src := range words[:len(words)-1] {
			installed[path.Base(src)] = path.Join(dest, path.Base(src))
		}
	}
	for _, s := range services {
		bin := "tew-" + s
		if installed[bin] == "" {
			r.Errorf(w, "the runtime stage does not copy %s from the build stage", bin)
		}
		if !strings.Contains(configure, bin) {
			r.Errorf(w, "the build stage does not build target %s", bin)
		}
	}
	objs, deployments := all[*appsv1.Deployment](base)
	for i, d := range deployments {
		pod := d.Spec.Template.Spec
		for _, c := range pod.Containers {
			if len(c.Command) > 0 && installed[path.Base(c.Command[0])] != c.Command[0] {
				r.Errorf(objs[i].Where(), "container %s runs %s, but the image has it at %q", c.Name, c.Command[0],
					installed[path.Base(c.Command[0])])
			}
			runAs := c.SecurityContext
			u, g := pod.SecurityContext.RunAsUser, pod.SecurityContext.RunAsGroup
			if runAs != nil && runAs.RunAsUser != nil {
				u = runAs.RunAsUser
			}
			if runAs != nil && runAs.RunAsGroup != nil {
				g = runAs.RunAsGroup
			}
			if err == nil && (u == nil || *u != uid || (g != nil && *g != gid)) {
				r.Errorf(objs[i].Where(), "container %s: runAsUser/runAsGroup differ from the image's USER %d:%d", c.Name, uid, gid)
			}
		}
	}
	checkImageVersion(root, base, r)
	checkRuntimeLibraries(root, binDir, services, runtimePkgs, r)
	ignore, _ := os.ReadFile(filepath.Join(root, ".dockerignore"))
	if !regexp.MustCompile(`(?m)^/?build/?$`).Match(ignore) {
		r.Errorf(".dockerignore", "does not leave out build/ (COPY . . would send every local build to the image build)")
	}
}

func numericUser(user string) (uid, gid int64, err error) {
	u, g, hasGroup := strings.Cut(user, ":")
	if uid, err = strconv.ParseInt(u, 10, 64); err != nil || uid == 0 {
		return 0, 0, fmt.Errorf("not a numeric non-root user (the kubelet verifies runAsNonRoot only for a numeric one)")
	}
	gid = uid
	if hasGroup {
		if gid, err = strconv.ParseInt(g, 10, 64); err != nil {
			return 0, 0, fmt.Errorf("group is not numeric")
		}
	}
	return uid, gid, nil
}

// checkImageVersion: the base deploys the image tagged with the project's version (the one
// the binaries report with --version); overlays choose their own.
func checkImageVersion(root string, base Bundle, r *Report) {
	data, err := os.ReadFile(filepath.Join(root, "CMakeLists.txt"))
	if err != nil {
		r.Errorf("CMakeLists.txt", "%v", err)
		return
	}
	m := regexp.MustCompile(`project\([^)]*VERSION\s+([0-9.]+)`).FindSubmatch(data)
	if m == nil {
		r.Errorf("CMakeLists.txt", "no project(... VERSION x.y.z)")
		return
	}
	objs, deployments := all[*appsv1.Deployment](base)
	for i, d := range deployments {
		for _, c := range d.Spec.Template.Spec.Containers {
			if _, tag, _ := strings.Cut(path.Base(c.Image), ":"); tag != string(m[1]) {
				r.Errorf(objs[i].Where(), "container %s image %q: the base deploys the project version %s (CMakeLists.txt)", c.Name, c.Image, m[1])
			}
		}
	}
}
