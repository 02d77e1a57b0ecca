#ifndef NNZOO_CPNG_SHIM_H
#define NNZOO_CPNG_SHIM_H
// Only libpng's simplified API (png_image_*) is used: it reports failure in
// image.message instead of longjmp, which Swift cannot survive.
#include <png.h>

static inline png_uint_32 nnzoo_png_image_version(void) { return PNG_IMAGE_VERSION; }
static inline png_uint_32 nnzoo_png_format_gray(void) { return PNG_FORMAT_GRAY; }
static inline png_uint_32 nnzoo_png_format_rgb(void) { return PNG_FORMAT_RGB; }
static inline png_uint_32 nnzoo_png_format_rgba(void) { return PNG_FORMAT_RGBA; }
static inline int nnzoo_png_image_failed(const png_image *image) {
    return PNG_IMAGE_FAILED(*image) ? 1 : 0;
}
static inline size_t nnzoo_png_image_size(const png_image *image) {
    return PNG_IMAGE_SIZE(*image);
}
#endif
