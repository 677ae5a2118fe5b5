// image_codecs.h — PNG and JPEG through libpng and libjpeg(-turbo). Failures come back as a
// status and a message; nothing here ever calls exit() or longjmps into Swift.
#ifndef IMAGE_CODECS_H
#define IMAGE_CODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A decoded gray image: `bit_depth` 8 (uint8 samples) or 16 (uint16, host order), row-major.
typedef struct {
  int width;
  int height;
  int bit_depth;
  void *data;
} ic_image;

/// Reads any PNG (gray, gray+alpha, RGB(A), palette; 8 or 16 bits) as gray. 16-bit files stay
/// 16-bit. Images with more than `max_pixels` pixels are refused before anything is allocated.
/// Returns 0, or -1 with a message in `error`.
int ic_png_read(const char *path, size_t max_pixels, ic_image *out, char *error, size_t error_size);

/// Reads a baseline or progressive JPEG as 8-bit gray.
int ic_jpeg_read(const char *path, size_t max_pixels, ic_image *out, char *error, size_t error_size);

/// Writes 8- or 16-bit gray samples as a PNG.
int ic_png_write(const char *path, const void *data, int width, int height, int bit_depth, char *error,
                 size_t error_size);

/// Writes 8-bit RGBA samples as a PNG (for coloured sheets).
int ic_png_write_rgba(const char *path, const uint8_t *data, int width, int height, char *error,
                      size_t error_size);

/// Encodes 8- or 16-bit gray samples as PNG bytes in memory. `*out` is allocated here; release it
/// with `ic_buffer_free`.
int ic_png_encode(const void *data, int width, int height, int bit_depth, uint8_t **out, size_t *out_size,
                  char *error, size_t error_size);

void ic_buffer_free(void *buffer);

void ic_image_free(ic_image *image);

#ifdef __cplusplus
}
#endif
#endif
