/// The Scalev API client (see ScalevClient).
