#include "image_codecs.h"

#include <stdio.h>

#include <jpeglib.h>
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *error, size_t size, const char *a, const char *b) {
  if (error && size) snprintf(error, size, "%s%s", a, b ? b : "");
  return -1;
}

static int too_large(size_t w, size_t h, size_t max_pixels, char *error, size_t size) {
  if (w == 0 || h == 0) {
    fail(error, size, "image has zero width or height", NULL);
    return 1;
  }
  if (w > max_pixels / h) {
    char msg[128];
    snprintf(msg, sizeof msg, "image of %zux%zu pixels exceeds the limit of %zu pixels", w, h, max_pixels);
    fail(error, size, msg, NULL);
    return 1;
  }
  return 0;
}

struct png_failure {
  jmp_buf jump;
  char message[192];
};

static void png_failure_exit(png_structp png, png_const_charp message) {
  struct png_failure *failure = (struct png_failure *)png_get_error_ptr(png);
  snprintf(failure->message, sizeof failure->message, "%s", message);
  longjmp(failure->jump, 1);
}

static void png_silence(png_structp png, png_const_charp message) { (void)png; (void)message; }

int ic_png_read(const char *path, size_t max_pixels, ic_image *out, char *error, size_t error_size) {
  FILE *file = fopen(path, "rb");
  if (!file) return fail(error, error_size, "cannot open file", NULL);
  struct png_failure failure;
  failure.message[0] = 0;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &failure, png_failure_exit, png_silence);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!info) {
    png_destroy_read_struct(&png, NULL, NULL);
    fclose(file);
    return fail(error, error_size, "out of memory decoding PNG", NULL);
  }
  unsigned char *volatile pixels = NULL;
  png_bytep *volatile rows = NULL;
  if (setjmp(failure.jump)) {
    png_destroy_read_struct(&png, &info, NULL);
    fclose(file);
    free(pixels);
    free(rows);
    return fail(error, error_size, "corrupt or truncated PNG: ", failure.message);
  }
  png_init_io(png, file);
  png_read_info(png, info);
  png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
  if (too_large(width, height, max_pixels, error, error_size)) {
    png_destroy_read_struct(&png, &info, NULL);
    fclose(file);
    return -1;
  }
  int sixteen = png_get_bit_depth(png, info) == 16;
  png_set_expand(png); /* palette → RGB, gray below 8 bits → 8, tRNS → alpha */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (sixteen) png_set_swap(png);
#endif
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  size_t channels = png_get_channels(png, info); /* 1 G, 2 GA, 3 RGB, 4 RGBA */
  size_t row_bytes = png_get_rowbytes(png, info);
  pixels = malloc(row_bytes * height);
  rows = malloc(sizeof(png_bytep) * height);
  if (!pixels || !rows) png_error(png, "out of memory");
  for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + y * row_bytes;
  png_read_image(png, rows);
  png_read_end(png, NULL);
  png_destroy_read_struct(&png, &info, NULL);
  fclose(file);
  free(rows);

  /* To gray in place (each output sample sits at or before its input): BT.601 luma, then alpha over black. */
  size_t count = (size_t)width * height;
  int has_alpha = channels == 2 || channels == 4, colour = channels >= 3;
  if (sixteen) {
    uint16_t *samples = (uint16_t *)pixels;
    for (size_t i = 0; i < count; i++) {
      const uint16_t *p = samples + i * channels;
      uint64_t v = colour ? (19595u * (uint64_t)p[0] + 38470u * (uint64_t)p[1] + 7471u * (uint64_t)p[2] + 32768u) >> 16 : p[0];
      if (has_alpha) v = (v * p[channels - 1] + 32767u) / 65535u;
      samples[i] = (uint16_t)v;
    }
  } else {
    for (size_t i = 0; i < count; i++) {
      const unsigned char *p = pixels + i * channels;
      uint32_t v = colour ? (19595u * p[0] + 38470u * p[1] + 7471u * p[2] + 32768u) >> 16 : p[0];
      if (has_alpha) v = (v * p[channels - 1] + 127u) / 255u;
      pixels[i] = (unsigned char)v;
    }
  }
  out->width = (int)width;
  out->height = (int)height;
  out->bit_depth = sixteen ? 16 : 8;
  out->data = pixels;
  return 0;
}

struct jpeg_failure {
  struct jpeg_error_mgr manager;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

static void jpeg_failure_exit(j_common_ptr info) {
  struct jpeg_failure *f = (struct jpeg_failure *)info->err;
  (*info->err->format_message)(info, f->message);
  longjmp(f->jump, 1);
}

static void jpeg_silence(j_common_ptr info) { (void)info; }

int ic_jpeg_read(const char *path, size_t max_pixels, ic_image *out, char *error, size_t error_size) {
  FILE *file = fopen(path, "rb");
  if (!file) return fail(error, error_size, "cannot open file", NULL);
  struct jpeg_decompress_struct info;
  struct jpeg_failure failure;
  unsigned char *volatile buffer = NULL;
  info.err = jpeg_std_error(&failure.manager);
  failure.manager.error_exit = jpeg_failure_exit;
  failure.manager.output_message = jpeg_silence;
  if (setjmp(failure.jump)) {
    jpeg_destroy_decompress(&info);
    fclose(file);
    free(buffer);
    return fail(error, error_size, "corrupt or unsupported JPEG: ", failure.message);
  }
  jpeg_create_decompress(&info);
  jpeg_stdio_src(&info, file);
  jpeg_read_header(&info, TRUE);
  if (too_large(info.image_width, info.image_height, max_pixels, error, error_size)) {
    jpeg_destroy_decompress(&info);
    fclose(file);
    return -1;
  }
  info.out_color_space = JCS_GRAYSCALE;
  jpeg_start_decompress(&info);
  size_t stride = info.output_width;
  buffer = malloc(stride * info.output_height);
  if (!buffer) longjmp(failure.jump, 1);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = buffer + stride * info.output_scanline;
    jpeg_read_scanlines(&info, &row, 1);
  }
  if (failure.manager.num_warnings > 0) { /* e.g. premature end of data: libjpeg fills the rest with gray */
    (*failure.manager.format_message)((j_common_ptr)&info, failure.message);
    longjmp(failure.jump, 1);
  }
  jpeg_finish_decompress(&info);
  out->width = (int)info.output_width;
  out->height = (int)info.output_height;
  out->bit_depth = 8;
  out->data = buffer;
  jpeg_destroy_decompress(&info);
  fclose(file);
  return 0;
}

static int write_png(const char *path, const void *data, int width, int height, png_uint_32 format,
                     char *error, size_t error_size) {
  png_image image;
  memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = (png_uint_32)width;
  image.height = (png_uint_32)height;
  image.format = format;
  image.flags |= PNG_IMAGE_FLAG_FAST; /* still lossless: ~2.5x less zlib time, ~20% larger files */
  if (!png_image_write_to_file(&image, path, 0, data, 0, NULL))
    return fail(error, error_size, "cannot write PNG: ", image.message);
  return 0;
}

int ic_png_write(const char *path, const void *data, int width, int height, int bit_depth, char *error,
                 size_t error_size) {
  if (bit_depth != 8 && bit_depth != 16) return fail(error, error_size, "PNG bit depth must be 8 or 16", NULL);
  return write_png(path, data, width, height, bit_depth == 16 ? PNG_FORMAT_LINEAR_Y : PNG_FORMAT_GRAY, error,
                   error_size);
}

int ic_png_write_rgba(const char *path, const uint8_t *data, int width, int height, char *error,
                      size_t error_size) {
  return write_png(path, data, width, height, PNG_FORMAT_RGBA, error, error_size);
}

int ic_png_encode(const void *data, int width, int height, int bit_depth, uint8_t **out, size_t *out_size,
                  char *error, size_t error_size) {
  if (bit_depth != 8 && bit_depth != 16) return fail(error, error_size, "PNG bit depth must be 8 or 16", NULL);
  png_image image;
  memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = (png_uint_32)width;
  image.height = (png_uint_32)height;
  image.format = bit_depth == 16 ? PNG_FORMAT_LINEAR_Y : PNG_FORMAT_GRAY;
  image.flags |= PNG_IMAGE_FLAG_FAST;
  png_alloc_size_t size = 0;
  /* First pass: the exact size; second pass: the bytes. */
  if (!png_image_write_to_memory(&image, NULL, &size, 0, data, 0, NULL))
    return fail(error, error_size, "cannot encode PNG: ", image.message);
  uint8_t *buffer = malloc(size);
  if (!buffer) return fail(error, error_size, "out of memory encoding a PNG", NULL);
  if (!png_image_write_to_memory(&image, buffer, &size, 0, data, 0, NULL)) {
    free(buffer);
    return fail(error, error_size, "cannot encode PNG: ", image.message);
  }
  *out = buffer;
  *out_size = size;
  return 0;
}

void ic_buffer_free(void *buffer) { free(buffer); }

void ic_image_free(ic_image *image) {
  if (image) {
    free(image->data);
    image->data = NULL;
  }
}
