// lint must report: es-x/no-class-static-block, es-x/no-array-prototype-at, compat/compat
// Syntax and APIs that Safari 14 lacks: class static blocks (Safari 16.4),
// Array.prototype.at (15.4), structuredClone (15.4).
class Settings {
  static {
    Settings.role = "client";
  }
}
var last = [1, 2, 3].at(-1);
var copy = structuredClone({ last: last });
copy.role = Settings.role;
