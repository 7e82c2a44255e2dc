"""How runs start: locally, on simulated devices, as several processes, on Cloud TPU VMs."""
