#pragma once

#include <string>

namespace runnel::config {

// Renders docs/configuration.md from the broker and topic tables, so the document cannot
// drift from the code: a unit test compares the checked-in file with this output.
std::string render_configuration_reference();

}  // namespace runnel::config
