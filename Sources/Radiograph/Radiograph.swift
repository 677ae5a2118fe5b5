// Radiograph: image files, preprocessing (`prepare`), the procedural hand phantom, sheets and animations.
