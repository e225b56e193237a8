import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { WalletSetupProvider, polkadotjs, subwallet, talisman } from 'typink';
import { App } from './App.js';
import './styles.css';

const wallets = [subwallet, talisman, polkadotjs];

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <WalletSetupProvider appName="Model Market" wallets={wallets}>
      <App />
    </WalletSetupProvider>
  </StrictMode>,
);
