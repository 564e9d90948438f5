// docs/configuration.md is generated from the same Env reads that configure the services: each
// section is a markdown table between "<!-- BEGIN generated: <section> -->" and the next
// "<!-- END generated -->", checked by a test and rewritten by it when TEW_UPDATE_DOCS is set.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tew/env.hpp"

namespace tew::testing {

// | Variable | Default | Meaning |, one row per variable in reading order; `defaults` replaces
// the default shown for a name (e.g. "the service's port"), secrets show "unset (secret)".
std::string variables_table(const std::vector<EnvVarDoc>& vars,
                            const std::map<std::string, std::string>& defaults = {});

// Checks the section `name` of docs/configuration.md against `table`, or rewrites it when the
// environment variable TEW_UPDATE_DOCS is set.
void check_generated_section(std::string_view name, const std::string& table);

}  // namespace tew::testing
