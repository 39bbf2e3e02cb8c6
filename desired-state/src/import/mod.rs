//! `homeamp import`: the prototype's fleet data into a desired-state repository.
