internal import TrellisChaos

extension ChaosSystem {
    /// The chaos system as trellis.yaml sets it up: `environment:` (chaos refuses production)
    /// and `systems.chaos.config.critical`, which is part of its manifest and so read once, at boot.
    static func configured(by config: TrellisConfig) -> ChaosSystem {
        ChaosSystem(environment: config.environment, critical: isCritical(config.file.systems[ChaosSystem.id]?.config))
    }
}
