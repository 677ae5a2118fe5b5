// cdicom.h — the plain-C face of GDCM that Swift sees (decoding pixel data, writing datasets,
// inflating deflated datasets).
//
// Conventions (as in ctorch.h):
// - Handles are opaque pointers; each kind has one `_free`.
// - Functions returning a handle return NULL on failure; functions returning `int` return 0 on
//   success and -1 on failure. After a failure `cd_last_error()` holds the message.
// - Nothing here checks a header for sanity: the Swift `DICOM` target does that before it asks
//   GDCM to decode anything.
#ifndef CDICOM_H
#define CDICOM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Bytes made on the C++ side (decoded pixels, an inflated dataset).
typedef struct cd_buffer_s *cd_buffer;
typedef struct cd_writer_s *cd_writer;

const char *cd_last_error(void);
const char *cd_version(void);

// MARK: decoding
/// What GDCM decoded: the layout of `cd_buffer_data` after `cd_decode` (stored values, all frames back to back).
typedef struct {
  uint32_t columns;
  uint32_t rows;
  uint32_t frames;
  uint16_t samples_per_pixel;
  uint16_t bits_allocated;
  uint16_t bits_stored;
  uint16_t high_bit;
  uint16_t pixel_representation;
  uint16_t planar_configuration;
  /// The photometric interpretation after decoding (a JPEG codec may turn YBR into RGB).
  char photometric[20];
} cd_pixel_layout;

/// Decodes every frame of a file's Pixel Data (any transfer syntax GDCM knows).
cd_buffer cd_decode(const char *path, cd_pixel_layout *layout);
const void *cd_buffer_data(cd_buffer b);
size_t cd_buffer_length(cd_buffer b);
void cd_buffer_free(cd_buffer b);

// MARK: deflate
/// Inflates a raw deflate stream (the Deflated Explicit VR Little Endian syntax); fails when the
/// result would exceed `capacity` bytes (a deflate bomb cannot exhaust memory).
cd_buffer cd_inflate(const void *input, size_t length, size_t capacity);

// MARK: writing
/// A dataset to be written as a Part-10 file in Explicit VR Little Endian.
cd_writer cd_writer_new(void);
/// Sets one element of the dataset; `value` holds `length` bytes already encoded (little
/// endian, padded to even length by the caller).
int cd_writer_set(cd_writer w, uint16_t group, uint16_t element, const char *vr, const void *value,
                  size_t length);
/// Writes the file (group 0002 filled from the dataset by GDCM).
int cd_writer_write(cd_writer w, const char *path);
void cd_writer_free(cd_writer w);

#ifdef __cplusplus
}
#endif

#endif
