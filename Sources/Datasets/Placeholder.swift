import Radiograph
