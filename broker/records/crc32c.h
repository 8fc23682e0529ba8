#pragma once

// CRC-32C (Castagnoli), the checksum of a v2 record batch (attributes .. end of batch).
//
// Uses the SSE4.2 crc32 instruction when the CPU has it (detected once at run time; only the one
// function is compiled for SSE4.2, so the binary still runs on CPUs without it) and a
// slicing-by-8 table otherwise. Thread-safe; no allocation.

#include <cstddef>
#include <cstdint>

namespace runnel::records {

// Chainable: crc32c(b, nb, crc32c(a, na)) == crc32c(a followed by b). Start with crc = 0.
uint32_t crc32c(const uint8_t* data, size_t len, uint32_t crc = 0);

// The portable implementation, exposed so tests can check both paths agree.
uint32_t crc32c_software(const uint8_t* data, size_t len, uint32_t crc = 0);

// True when crc32c() uses the hardware instruction on this machine.
bool crc32c_hardware_available();

}  // namespace runnel::records
