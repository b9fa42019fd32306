// Every task file registers its tasks on import; a domain adds its file here.
import "./deploy";
import "./upgrade";
import "./staking";
import "./inft";
import "./storage";
import "./da";
import "./compute";
import "./market";
import "./governance";
import "./tokenomics";
import "./alignment";
