// hardhat-chai-matchers registers chai-as-promised at run time; this brings its types (rejectedWith, ...).
import "chai-as-promised";
