// lint must report: es-x/no-regexp-lookbehind-assertions
// In Safari before 16.4 this literal makes the whole script fail to parse.
var notAfterADigit = /(?<!\d)988/;
notAfterADigit.test("988");
