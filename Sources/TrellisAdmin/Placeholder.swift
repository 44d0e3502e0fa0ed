internal import TrellisCore
