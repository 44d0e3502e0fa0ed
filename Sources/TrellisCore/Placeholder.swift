public enum TrellisKernelPlaceholder {}
