// docs/configuration.md is generated from the code that reads the variables: each service's
// tests render the variables its reads documented as a table, and check (or, with
// TEW_UPDATE_DOCS set, rewrite) their section of the file.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tew/env.hpp"

namespace tew::testing {

// A markdown table | Variable | Default | Meaning |, one row per variable in reading order.
// `defaults` replaces the default shown for the variables it names (e.g. "the service's port").
std::string variables_table(const std::vector<EnvVarDoc>& variables,
                            const std::map<std::string, std::string>& defaults = {});

// Compares the text between "<!-- BEGIN generated: <section> -->" and the next
// "<!-- END generated -->" in docs/configuration.md with `content` (a doctest CHECK); with
// TEW_UPDATE_DOCS set in the environment, writes `content` there instead.
void check_generated_docs(std::string_view section, const std::string& content);

}  // namespace tew::testing
