package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Packages debian:bookworm-slim already has (essential, or needed by apt).
var basePackages = []string{"libc6", "libstdc++6", "libgcc-s1", "zlib1g"}

// Sanitizer runtimes are linked only into the asan/tsan builds.
func sanitizerLibrary(soname string) bool {
	for _, p := range []string{"libasan.", "libubsan.", "libtsan.", "liblsan."} {
		if strings.HasPrefix(soname, p) {
			return true
		}
	}
	return false
}

// checkRuntimeLibraries: every shared library a built service binary needs comes from a
// package the runtime stage installs (or the base image has). Libraries are mapped to
// packages with dpkg, on this Debian machine, from the binaries the build just made.
func checkRuntimeLibraries(root, binDir string, services []string, runtimePkgs []string, r *Report) {
	if binDir == "" {
		r.Notef("no binaries given: the runtime stage's libraries are not checked against them")
		return
	}
	var binaries []string
	for _, s := range services {
		if p := filepath.Join(binDir, "tew-"+s); exists(p) {
			binaries = append(binaries, p)
		}
	}
	if len(binaries) == 0 {
		// No service built yet: the test app links the same library, so its needs stand in.
		if p := filepath.Join(binDir, "tew-test-app"); exists(p) {
			binaries = append(binaries, p)
			r.Notef("no service binary built: the runtime stage's libraries are checked against tew-test-app")
		} else {
			r.Notef("no binary in %s: the runtime stage's libraries are not checked", binDir)
			return
		}
	}
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		r.Notef("dpkg-query not found: the runtime stage's libraries are not checked")
		return
	}
	needs := map[string][]string{} // soname -> binaries needing it
	for _, bin := range binaries {
		f, err := elf.Open(bin)
		if err != nil {
			r.Errorf(rel(root, bin), "%v", err)
			continue
		}
		needed, err := f.ImportedLibraries()
		f.Close()
		if err != nil {
			r.Errorf(rel(root, bin), "%v", err)
			continue
		}
		for _, soname := range needed {
			if !sanitizerLibrary(soname) {
				needs[soname] = append(needs[soname], filepath.Base(bin))
			}
		}
	}
	packages := packagesOf(sortedKeys(needs))
	for _, soname := range sortedKeys(needs) {
		pkg, ok := packages[soname]
		switch {
		case !ok:
			r.Errorf("Dockerfile", "%v need %s, which no Debian package on this machine ships", needs[soname], soname)
		case !slices.Contains(runtimePkgs, pkg) && !slices.Contains(basePackages, pkg):
			r.Errorf("Dockerfile", "%v need %s from package %s, which the runtime stage does not install", needs[soname], soname, pkg)
		}
	}
}

// packagesOf finds the Debian packages that ship shared libraries (one dpkg-query for all;
// with merged /usr a library may be registered under /lib or /usr/lib, so both are asked).
func packagesOf(sonames []string) map[string]string {
	byPath := map[string]string{} // a path dpkg may know -> soname
	for _, soname := range sonames {
		for _, dir := range libraryDirs {
			p := filepath.Join(dir, soname)
			if _, err := os.Stat(p); err != nil {
				continue
			}
			byPath[p] = soname
			byPath[resolved(p)] = soname
			if other, ok := strings.CutPrefix(resolved(p), "/usr"); ok {
				byPath[other] = soname
			} else {
				byPath["/usr"+resolved(p)] = soname
			}
			break
		}
	}
	out, _ := exec.Command("dpkg-query", append([]string{"-S"}, sortedKeys(byPath)...)...).Output()
	found := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		pkgArch, path, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		pkg, _, _ := strings.Cut(pkgArch, ":")
		if soname, ok := byPath[strings.TrimSpace(path)]; ok {
			found[soname] = pkg
		}
	}
	return found
}

var libraryDirs = []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
	"/usr/lib/aarch64-linux-gnu", "/lib64", "/lib", "/usr/lib"}

func resolved(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}
