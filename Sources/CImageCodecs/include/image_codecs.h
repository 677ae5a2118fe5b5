// image_codecs.h — PNG and JPEG through libpng and libjpeg(-turbo), with errors returned, never exit().
#ifndef IMAGE_CODECS_H
#define IMAGE_CODECS_H
#endif
