#pragma once

// Everything a generated message header needs, in one include.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/model/uuid.h"
#include "broker/protocol/reader.h"
#include "broker/protocol/types.h"
#include "broker/protocol/writer.h"
