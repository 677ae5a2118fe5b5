#include "image_codecs.h"

#include <stdio.h>

#include <jpeglib.h>
#include <png.h>
#include <setjmp.h>
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

int ic_png_read(const char *path, size_t max_pixels, ic_image *out, char *error, size_t error_size) {
  png_image image;
  memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path)) return fail(error, error_size, "not a readable PNG: ", image.message);
  if (too_large(image.width, image.height, max_pixels, error, error_size)) {
    png_image_free(&image);
    return -1;
  }
  int sixteen = (image.format & PNG_FORMAT_FLAG_LINEAR) != 0;
  image.format = sixteen ? PNG_FORMAT_LINEAR_Y : PNG_FORMAT_GRAY;
  size_t bytes = PNG_IMAGE_SIZE(image);
  void *buffer = malloc(bytes);
  if (!buffer) {
    png_image_free(&image);
    return fail(error, error_size, "out of memory decoding PNG", NULL);
  }
  png_color black = {0, 0, 0};
  if (!png_image_finish_read(&image, &black, buffer, 0, NULL)) {
    free(buffer);
    return fail(error, error_size, "corrupt or truncated PNG: ", image.message);
  }
  out->width = (int)image.width;
  out->height = (int)image.height;
  out->bit_depth = sixteen ? 16 : 8;
  out->data = buffer;
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

void ic_image_free(ic_image *image) {
  if (image) {
    free(image->data);
    image->data = NULL;
  }
}
